import AeroWire

extension Namespace {
    /// The void time a write with header `record_ttl` gives a record (kv.md section 8).
    /// nil = invalid TTL (PARAMETER). `existing` is the current void time for "don't update" (-2).
    func voidTime(forTTL ttl: UInt32, existing: UInt32?, now: UInt32) -> UInt32? {
        switch ttl {
        case 0xFFFF_FFFF: return 0
        case 0xFFFF_FFFE:
            if let existing { return existing }
            return relative(config.defaultTTL, now)
        case 0: return relative(config.defaultTTL, now)
        case 1...config.maxTTL: return now &+ ttl
        default: return nil
        }
    }
    private func relative(_ ttl: UInt32, _ now: UInt32) -> UInt32 { ttl == 0 ? 0 : now &+ ttl }

    /// A TTL on a namespace without an expiry thread is refused (FORBIDDEN), as the real server
    /// does; "never" (-1) and "keep" (-2) are always allowed.
    func ttlForbidden(ttl: UInt32, voidTime: UInt32) -> Bool {
        guard config.nsupPeriod == 0, !config.allowTTLWithoutNsup else { return false }
        if ttl == 0xFFFF_FFFF || ttl == 0xFFFF_FFFE { return false }
        return voidTime != 0
    }
}

@inline(__always) func nextGeneration(_ g: UInt16) -> UInt16 { g == 0xFFFF ? 1 : g + 1 }
