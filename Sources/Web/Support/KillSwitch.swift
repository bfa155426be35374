import Common
import Foundation

extension CentralDatabase {
    static let halted = APIError(.conflict, "kill_switch", "The platform's kill switch is on: no bot starts until an administrator releases it.")

    /// Refuses a bot's start while the kill switch is on (or when that cannot be read).
    func requireNotHalted() throws(APIError) {
        guard try read({ try platform.isHalted() }) == false else { throw Self.halted }
    }
}
