#ifndef CAEROSYS_H
#define CAEROSYS_H
#include <stdint.h>
#include <stddef.h>

/* Only fixed-width types cross this header, so it never clashes with Swift's Glibc module
   (including <sys/epoll.h> with _GNU_SOURCE here changes fd_set and breaks debug builds). */
static const uint32_t AERO_EPOLLIN = 0x001;
static const uint32_t AERO_EPOLLOUT = 0x004;
static const uint32_t AERO_EPOLLERR = 0x008;
static const uint32_t AERO_EPOLLHUP = 0x010;
static const uint32_t AERO_EPOLLRDHUP = 0x2000;
static const uint32_t AERO_EPOLLEXCLUSIVE = 1u << 28;
static const uint32_t AERO_EPOLLONESHOT = 1u << 30;

/// epoll_create1(EPOLL_CLOEXEC).
int aero_epoll_create(void);
/// A non-blocking, close-on-exec eventfd (reactor wake-ups).
int aero_eventfd(void);
/// epoll_event is packed on x86_64; these helpers keep Swift away from its layout.
int aero_epoll_add(int epfd, int fd, uint32_t events, uint64_t data);
int aero_epoll_mod(int epfd, int fd, uint32_t events, uint64_t data);
int aero_epoll_del(int epfd, int fd);
/// Waits; writes up to `max` (events, data) pairs into the two arrays.
int aero_epoll_wait(int epfd, uint32_t *events, uint64_t *datas, int max, int timeout_ms);

/// zlib: inflate `src` into `dst` (capacity `dst_cap`). Returns inflated size,
/// -1 on corrupt data, -2 when the output would exceed `dst_cap` (bomb guard).
long aero_inflate(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap);
/// zlib compress2; returns compressed size or -1.
long aero_deflate(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap);
size_t aero_deflate_bound(size_t src_len);

/// SHA-1 of a buffer (20 bytes into out).
void aero_sha1(const uint8_t *src, size_t len, uint8_t *out);
/// RIPEMD-160 (the Aerospike record digest), 20 bytes into out.
void aero_ripemd160(const uint8_t *src, size_t len, uint8_t *out);

/// Blocks SIGPIPE for the process; sockets use MSG_NOSIGNAL anyway.
void aero_ignore_sigpipe(void);
/// Opens (creating) a storage file for direct I/O; falls back to buffered I/O where the file
/// system refuses O_DIRECT (tmpfs). Returns the fd or -1; *direct says which it got.
int aero_open_storage(const char *path, int *direct);
/// pwrite/pread of whole buffers (retrying short transfers); 0 or -1.
int aero_pwrite_all(int fd, const void *buf, size_t len, long long off);
int aero_pread_all(int fd, void *buf, size_t len, long long off);
/// Grows the file to at least `size` bytes, reserving the space (posix_fallocate) where the
/// file system can, so a full disk shows at start rather than as ENOSPC mid-write.
int aero_ensure_size(int fd, long long size);
/// fdatasync; 0 or -1.
int aero_datasync(int fd);
/// Relaxed atomic add / load / exchange on a 64-bit counter (arrays of counters, where
/// Swift's Atomic cannot go).
int64_t aero_atomic_add(int64_t *p, int64_t v);
int64_t aero_atomic_load(const int64_t *p);
int64_t aero_atomic_exchange(int64_t *p, int64_t v);
/// CRC-32C (Castagnoli), continuing from `crc` (start with 0): SSE4.2 where the CPU has it,
/// a table otherwise (same result).
uint32_t aero_crc32c(uint32_t crc, const void *buf, size_t len);
/// The table version alone (tests compare the two).
uint32_t aero_crc32c_portable(uint32_t crc, const void *buf, size_t len);
/// LZ4 block compression: compressed size, or 0 when it does not fit in `dst_cap`.
int aero_lz4_compress(const void *src, int src_len, void *dst, int dst_cap, int acceleration);
/// LZ4 block decompression into exactly `dst_len` bytes: that size, or a negative number
/// for corrupt input (never writes past `dst_len`).
int aero_lz4_decompress(const void *src, int src_len, void *dst, int dst_len);
int aero_lz4_bound(int src_len);
/// accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC (not visible through Glibc).
int aero_accept_nonblocking(int listen_fd);
/// Names the calling thread (shows in top/gdb).
void aero_set_thread_name(const char *name);
#endif
