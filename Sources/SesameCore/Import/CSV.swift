import Foundation

/// RFC 4180 CSV: reading with line numbers (for per-row errors) and writing (for report exports).
public enum CSV {
    public struct Record: Sendable, Hashable {
        /// The line the record starts on, counting from 1.
        public let line: Int
        public let fields: [String]
    }

    /// A field longer than this is refused rather than read into memory whole: no real column needs it.
    public static let maximumFieldLength = 4_096

    public enum ReadError: Error, Hashable, CustomStringConvertible {
        case unterminatedQuote(line: Int)
        case fieldTooLong(line: Int)

        public var description: String {
            switch self {
            case .unterminatedQuote(let line): "line \(line): a quoted field is never closed"
            case .fieldTooLong(let line): "line \(line): a field is longer than \(CSV.maximumFieldLength) characters"
            }
        }
    }

    /// Parses `text` into records; blank lines are skipped. A record with an over-long field is reported through
    /// `onError` and skipped, so that one bad row does not stop the others.
    ///
    /// Read by Unicode scalar, as ``quote(_:)`` writes: a quote followed by a combining mark is one `Character`, so
    /// a reader by `Character` missed the quote that the writer had doubled (found by fuzzing).
    public static func read(_ text: String, onError: (ReadError) -> Void = { _ in }) throws(ReadError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var tooLong = false
        // Counted as scalars are added: `String.count` walks the whole field, and asking it after every character
        // made a 2 MB import of accented text take over a minute (docs/security.md#parsers).
        var fieldLength = 0
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func append(field scalar: Unicode.Scalar) {
            field.append(scalar)
            fieldLength += 1
        }

        func clearField() {
            field = String.UnicodeScalarView()
            fieldLength = 0
        }

        func endRecord() {
            fields.append(String(field))
            if tooLong {
                onError(.fieldTooLong(line: recordLine))
            } else if !(fields.count == 1 && fields.first?.isEmpty == true) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
            clearField()
            tooLong = false
        }

        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        append(field: "\"")
                    } else {
                        inQuotes = false
                        pending = next
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    append(field: scalar)
                }
            } else {
                switch scalar {
                case "\"" where field.isEmpty: inQuotes = true
                case ",":
                    fields.append(String(field))
                    clearField()
                case "\n", "\r":
                    endRecord()
                    line += 1
                    recordLine = line
                    // CRLF is one line end.
                    if scalar == "\r" {
                        let next = iterator.next()
                        if next != "\n" { pending = next }
                    }
                default: append(field: scalar)
                }
            }
            if fieldLength > maximumFieldLength {
                tooLong = true
                clearField()
            }
        }
        if inQuotes { throw .unterminatedQuote(line: recordLine) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }

    /// One CSV line (with CRLF, as RFC 4180 asks).
    public static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    /// Quotes a field when it needs it. A leading `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet
    /// opening an export never runs a formula planted in a user-controlled value. Both checks read Unicode scalars:
    /// `=` followed by a combining mark is one `Character` that is not `=`, yet a spreadsheet still sees `=`
    /// first (docs/security.md#output-escaping).
    static func quote(_ field: String) -> String {
        var value = field
        if let first = value.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) { value = "'" + value }
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }
}
