import Foundation

/// Ports on 127.0.0.1, for tests and benchmarks that start servers.
public enum LoopbackPort {
    /// A port that was free a moment ago (the kernel's choice for port 0).
    public static func free() -> Int { free(1)[0] }

    /// `count` different ports that were free a moment ago. Each socket stays bound until all are
    /// chosen: one at a time, the kernel may hand out the port it has just taken back (a test's
    /// web and simulator once got the same port, and the simulator answered for the web).
    public static func free(_ count: Int) -> [Int] {
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        return (0..<count).map { _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }
}
