#define _GNU_SOURCE
#include "CAeroSys.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <signal.h>
#include <zlib.h>
#include <lz4.h>
#include <openssl/sha.h>
#include <openssl/evp.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>

int aero_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
int aero_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int aero_epoll_add(int epfd, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev; ev.events = events; ev.data.u64 = data;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}
int aero_epoll_mod(int epfd, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev; ev.events = events; ev.data.u64 = data;
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}
int aero_epoll_del(int epfd, int fd) {
    struct epoll_event ev; memset(&ev, 0, sizeof ev);
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev);
}
int aero_epoll_wait(int epfd, uint32_t *events, uint64_t *datas, int max, int timeout_ms) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) { events[i] = evs[i].events; datas[i] = evs[i].data.u64; }
    return n;
}

long aero_inflate(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap) {
    z_stream zs; memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) return -1;
    zs.next_in = (Bytef *)src; zs.avail_in = (uInt)src_len;
    zs.next_out = dst; zs.avail_out = (uInt)dst_cap;
    int rc = inflate(&zs, Z_FINISH);
    long out = (long)zs.total_out;
    inflateEnd(&zs);
    if (rc == Z_STREAM_END) return out;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) return -2;
    return -1;
}
long aero_deflate(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap) {
    uLongf n = dst_cap;
    if (compress2(dst, &n, src, src_len, Z_DEFAULT_COMPRESSION) != Z_OK) return -1;
    return (long)n;
}
size_t aero_deflate_bound(size_t src_len) { return compressBound(src_len); }

void aero_sha1(const uint8_t *src, size_t len, uint8_t *out) { SHA1(src, len, out); }

void aero_ripemd160(const uint8_t *src, size_t len, uint8_t *out) {
    unsigned int n = 20;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *md = EVP_get_digestbyname("RIPEMD160");
    if (ctx && md && EVP_DigestInit_ex(ctx, md, NULL) == 1) {
        EVP_DigestUpdate(ctx, src, len);
        EVP_DigestFinal_ex(ctx, out, &n);
    } else {
        memset(out, 0, 20);
    }
    if (ctx) EVP_MD_CTX_free(ctx);
}

int aero_open_storage(const char *path, int *direct) {
    int fd = open(path, O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
    if (fd >= 0) { *direct = 1; return fd; }
    *direct = 0;
    return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
}
int aero_pwrite_all(int fd, const void *buf, size_t len, long long off) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        p += n; len -= (size_t)n; off += n;
    }
    return 0;
}
int aero_pread_all(int fd, void *buf, size_t len, long long off) {
    char *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, off);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        if (n == 0) { memset(p, 0, len); return 0; }  /* past the end: zeros */
        p += n; len -= (size_t)n; off += n;
    }
    return 0;
}
int aero_ensure_size(int fd, long long size) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    if (st.st_size >= size) return 0;
    int rc = posix_fallocate(fd, 0, size);
    if (rc == 0) return 0;
    if (rc == EOPNOTSUPP || rc == EINVAL) return ftruncate(fd, size);
    errno = rc;
    return -1;
}
int aero_datasync(int fd) { return fdatasync(fd); }
int64_t aero_atomic_add(int64_t *p, int64_t v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
int64_t aero_atomic_load(const int64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
int64_t aero_atomic_exchange(int64_t *p, int64_t v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }

static uint32_t crc32c_table[256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;
static void crc32c_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc32c_table[i] = c;
    }
}
uint32_t aero_crc32c_portable(uint32_t crc, const void *buf, size_t len) {
    pthread_once(&crc32c_once, crc32c_init);
    const uint8_t *p = buf;
    crc = ~crc;
    while (len--) crc = crc32c_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
#if defined(__x86_64__)
#include <nmmintrin.h>
__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t len) {
    uint64_t c = ~crc;
    while (len >= 8) { uint64_t v; memcpy(&v, p, 8); c = _mm_crc32_u64(c, v); p += 8; len -= 8; }
    uint32_t c32 = (uint32_t)c;
    while (len--) c32 = _mm_crc32_u8(c32, *p++);
    return ~c32;
}
#endif
uint32_t aero_crc32c(uint32_t crc, const void *buf, size_t len) {
#if defined(__x86_64__)
    static int hw = -1;
    if (hw < 0) hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    if (hw) return crc32c_sse42(crc, buf, len);
#endif
    return aero_crc32c_portable(crc, buf, len);
}
int aero_lz4_compress(const void *src, int src_len, void *dst, int dst_cap, int acceleration) {
    return LZ4_compress_fast((const char *)src, (char *)dst, src_len, dst_cap, acceleration);
}
int aero_lz4_decompress(const void *src, int src_len, void *dst, int dst_len) {
    return LZ4_decompress_safe((const char *)src, (char *)dst, src_len, dst_len);
}
int aero_lz4_bound(int src_len) { return LZ4_compressBound(src_len); }

void aero_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }
int aero_accept_nonblocking(int fd) { return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }
void aero_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }
