import Common
import Foundation

/// A read of the central database; a failure is the API's 503 `database_unavailable`.
func read<T>(_ body: () throws -> T) throws(APIError) -> T {
    do {
        return try body()
    } catch let error as APIError {
        throw error
    } catch {
        throw APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be read.")
    }
}

/// A write to the central database; a failure is the API's 503 `database_unavailable`.
func write<T>(_ body: () throws -> T) throws(APIError) -> T {
    do {
        return try body()
    } catch {
        throw APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be written.")
    }
}
