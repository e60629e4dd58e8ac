import Foundation

/// ISO 8601 UTC timestamps, parsed and formatted without Foundation's formatters (which need tzdata).
public enum ISO8601Parsing {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (years 1970 to 2199, up to nine fraction digits); a day the
    /// month does not have is refused.
    public static func date(_ text: String) -> Date? {
        // Read from the string's own UTF-8 where it is contiguous (a timestamp is in every message).
        if let date = text.utf8.withContiguousStorageIfAvailable({ date(utf8: $0) }) { return date }
        return Array(text.utf8).withUnsafeBufferPointer { date(utf8: $0) }
    }

    private static func date(utf8 scalars: UnsafeBufferPointer<UInt8>) -> Date? {
        guard scalars.count >= 20, scalars.last == UInt8(ascii: "Z"),
              scalars[4] == UInt8(ascii: "-"), scalars[7] == UInt8(ascii: "-"), scalars[10] == UInt8(ascii: "T"),
              scalars[13] == UInt8(ascii: ":"), scalars[16] == UInt8(ascii: ":") else { return nil }
        /// The decimal digits of `range` as a number; `nil` if any is not a digit.
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(scalars[index]) - Int(UInt8(ascii: "0"))
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        guard (1970...2199).contains(year) else { return nil }
        var fraction = 0.0
        if scalars.count > 20 {
            let digits = 20..<(scalars.count - 1)
            guard scalars[19] == UInt8(ascii: "."), !digits.isEmpty, digits.count <= 9, let value = number(digits) else { return nil }
            // Both exact in a Double, so the quotient is rounded once: the same Double as parsing "0.ddd".
            var scale = 1
            for _ in digits { scale *= 10 }
            fraction = Double(value) / Double(scale)
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        guard civilFromDays(days) == (year, month, day) else { return nil }
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func string(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` to `bytes`, digit by digit (a timestamp goes into every message).
    public static func append(_ date: Date, to bytes: inout [UInt8]) {
        let total = date.timeIntervalSince1970
        var seconds = Int(total.rounded(.down))
        var milliseconds = Int(((total - Double(seconds)) * 1000).rounded())
        if milliseconds == 1000 { seconds += 1; milliseconds = 0 }
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func digits(_ value: Int, _ width: Int) {
            // Zero-padded to `width`; a wider value (a year beyond 9999) keeps all its digits.
            let text = value < 0 || value >= [1, 10, 100, 1000, 10_000][width] ? Array(String(value).utf8) : []
            guard text.isEmpty else { return bytes.append(contentsOf: text) }
            var divisor = [1, 1, 10, 100, 1000][width]
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 3600 / 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    // Howard Hinnant's civil calendar algorithms.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
