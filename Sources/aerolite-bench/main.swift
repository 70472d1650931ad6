#if canImport(Glibc)
import Glibc
#endif

guard let opts = Options.parse(CommandLine.arguments), ["echo", "load", "scan"].contains(opts.mode) else {
    print("""
    usage: aerolite-bench echo --port P [--threads T]
           aerolite-bench scan --port P --keys N
           aerolite-bench load --port P --connections N --seconds S [--keys K] [--value-size B] [--read-pct R] [--preload] [--label L]
    """)
    exit(2)
}

if opts.mode == "scan" {
    ScanBench.run(opts)
} else if opts.mode == "echo" {
    EchoServer.run(port: opts.port, threads: opts.threads)
} else {
    LoadGenerator(opts).run()
}
