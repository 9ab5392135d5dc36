import ArgumentParser
import Foundation
import ProcessExit
import Spool
import StateStore

/// The spool lock and the state database for the commands that change the spool (runs and spool verbs), with the exit
/// status and advice of `contracts/cli-and-config.md` when they cannot be had: 73 for a held lock, 77 for a spool or
/// database this user may not write, 78 for a spool folder that cannot be used, 1 for a damaged database.
enum SpoolAccess {
    /// Creates the spool where missing and takes its lock, waiting up to `seconds` for a run that holds it.
    static func lock(_ spool: Spool, waiting seconds: Double = 0) throws -> SpoolLock {
        do {
            try spool.create()
            return try SpoolLock.acquire(spool, waiting: seconds)
        } catch let error as SpoolError where error.code == .locked {
            let holder = SpoolLock.holder(spool).map { " (\($0))" } ?? ""
            let waited = seconds > 0 ? " after \(Int(seconds)) s" : ""
            printError("d365mm: another d365mm run holds the spool lock on \(spool.root)\(holder)\(waited); nothing was done.")
            throw ExitStatus.locked.exitCode
        } catch let error as SpoolError where error.code == .denied {
            printError("d365mm: D365MM_SPOOL_DIR (\(spool.root)) may not be written by this user (\(currentUser)): \(error)")
            throw ExitStatus.permissionDenied.exitCode
        } catch let error as SpoolError {
            printError("d365mm: D365MM_SPOOL_DIR (\(spool.root)) cannot be used: \(error)")
            throw ExitStatus.configuration.exitCode
        }
    }

    /// Opens (creating or upgrading) the state database; only while holding the lock.
    static func database(_ spool: Spool) throws -> StateDatabase {
        do {
            return try StateDatabase(path: spool.databasePath)
        } catch let error as StateDatabaseError {
            printError("d365mm: \(error)")
            throw (error.kind == .denied ? ExitStatus.permissionDenied : ExitStatus.internalError).exitCode
        }
    }

    /// Who this process runs as, for messages about what it may not write.
    static var currentUser: String {
        let uid = getuid()
        let name = getpwuid(uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
        return name.map { "\($0), uid \(uid)" } ?? "uid \(uid)"
    }
}
