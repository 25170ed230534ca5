import Foundation
import GRDB

/// The tables that let winnow tell its own dataset files from the user's.
enum DatasetRecords {
    static func registerMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-dataset: dataset entries, caption files, external captions") { db in
            // Every file winnow put into a dataset folder; only these are ever removed from it.
            try db.create(table: "datasetEntry") { t in
                t.primaryKey("path", .text)
                t.column("subject", .text).notNull()
                t.column("fileId", .integer)
                t.column("kind", .text).notNull()  // img | reg
                t.column("sha256", .text)
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "datasetEntry_on_subject", on: "datasetEntry", columns: ["subject"])
            // What winnow last wrote into each caption file: a file whose bytes hash differently was edited
            // by the user and is never overwritten.
            try db.create(table: "captionFile") { t in
                t.primaryKey("path", .text)
                t.column("subject", .text).notNull()
                t.column("fileId", .integer)
                t.column("sha256", .text).notNull()
                t.column("source", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "captionFile_on_subject", on: "captionFile", columns: ["subject"])
            // An external captioner's answer (or its failures) per image content and captioner.
            try db.create(table: "externalCaption") { t in
                t.column("imageSha256", .text).notNull()
                t.column("captioner", .text).notNull()
                t.column("text", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("lastError", .text)
                t.column("nextAttemptAt", .double)
                t.column("updatedAt", .datetime).notNull()
                t.primaryKey(["imageSha256", "captioner"])
            }
        }
    }
}
