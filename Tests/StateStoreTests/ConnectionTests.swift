import Foundation
import StateStore
import TestSupport
import Testing

struct ConnectionTests {
    @Test func writesAndReadsBackInWALMode() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            do {
                let connection = try Connection(path: path)
                #expect(try connection.query("PRAGMA journal_mode").first?.first == .text("wal"))
                try connection.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, records INTEGER NOT NULL, note TEXT)")
                try connection.transaction {
                    try connection.run("INSERT INTO runs VALUES (?, ?, ?)", ["r1", 42, nil])
                    try connection.run("INSERT INTO runs VALUES (?, ?, ?)", ["r2", 7, "second"])
                }
                // While the first connection is open, its writes sit in the write-ahead log.
                #expect(FileManager.default.fileExists(atPath: path + "-wal"))
                let reader = try Connection(path: path, readOnly: true)
                #expect(try reader.query("SELECT id, records, note FROM runs ORDER BY id") == [["r1", 42, nil], ["r2", 7, "second"]])
            }
            let reopened = try Connection(path: path)
            #expect(try reopened.query("SELECT SUM(records) FROM runs").first?.first == .integer(49))
        }
    }

    @Test func aFailedTransactionLeavesNothingBehind() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try Connection(path: directory + "/state.sqlite")
            try connection.execute("CREATE TABLE hashes (key TEXT PRIMARY KEY, hash TEXT NOT NULL)")
            try connection.run("INSERT INTO hashes VALUES ('a', 'x')")
            #expect(throws: SQLiteError.self) {
                try connection.transaction {
                    try connection.run("INSERT INTO hashes VALUES ('b', 'y')")
                    try connection.run("INSERT INTO hashes VALUES ('a', 'z')")
                }
            }
            #expect(try connection.query("SELECT key, hash FROM hashes") == [["a", "x"]])
        }
    }

    @Test func errorsNameTheFileAndStatementButNeverTheValues() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try Connection(path: directory + "/state.sqlite")
            try connection.execute("CREATE TABLE tokens (value TEXT UNIQUE)")
            try connection.run("INSERT INTO tokens VALUES (?)", ["planted-secret-value"])
            let error = try #require(throws: SQLiteError.self) {
                try connection.run("INSERT INTO tokens VALUES (?)", ["planted-secret-value"])
            }
            #expect(error.isConstraintViolation)
            #expect(error.description.contains(directory + "/state.sqlite"))
            #expect(error.description.contains("INSERT INTO tokens"))
            #expect(!error.description.contains("planted-secret-value"))
        }
    }

    /// Statements are compiled once and kept; a kept one must neither hide what another connection wrote since nor keep
    /// the database open once its connection is gone.
    @Test func keptStatementsSeeLaterWritesAndCloseWithTheirConnection() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            do {
                let connection = try Connection(path: path)
                try connection.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, records INTEGER NOT NULL)")
                try connection.run("INSERT INTO runs VALUES (?, ?)", ["r1", 1])
                #expect(try connection.query("SELECT id FROM runs ORDER BY id") == [["r1"]])
                let other = try Connection(path: path)
                try other.run("INSERT INTO runs VALUES (?, ?)", ["r2", 2])
                #expect(try connection.query("SELECT id FROM runs ORDER BY id") == [["r1"], ["r2"]])
                // More statements than are kept: each still answers for itself.
                for limit in 0..<200 {
                    #expect(try connection.query("SELECT count(*) FROM runs WHERE records <= \(limit)") == [[.integer(Int64(min(limit, 2)))]])
                }
                #expect(try connection.query("SELECT id FROM runs ORDER BY id") == [["r1"], ["r2"]])
            }
            // SQLite removes the write-ahead log when the last connection to the database closes.
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    /// A transaction inside another is a savepoint: a failed inner one undoes its own writes alone, and nothing is kept
    /// unless the outer one commits.
    @Test func aNestedTransactionFailsAloneAndCommitsWithItsOuterOne() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try Connection(path: directory + "/state.sqlite")
            try connection.execute("CREATE TABLE hashes (key TEXT PRIMARY KEY)")
            try connection.transaction {
                try connection.run("INSERT INTO hashes VALUES ('a')")
                #expect(throws: SQLiteError.self) {
                    try connection.transaction {
                        try connection.run("INSERT INTO hashes VALUES ('b')")
                        try connection.run("INSERT INTO hashes VALUES ('a')")
                    }
                }
                try connection.transaction { try connection.run("INSERT INTO hashes VALUES ('c')") }
            }
            #expect(try connection.query("SELECT key FROM hashes ORDER BY key") == [["a"], ["c"]])

            #expect(throws: SQLiteError.self) {
                try connection.transaction {
                    try connection.transaction { try connection.run("INSERT INTO hashes VALUES ('d')") }
                    try connection.run("INSERT INTO hashes VALUES ('a')")
                }
            }
            #expect(try connection.query("SELECT key FROM hashes ORDER BY key") == [["a"], ["c"]])
        }
    }
}
