import Foundation

/// libarchive converts entry names through the thread's locale, and a program started in the `C` locale (a systemd
/// service, a test) cannot convert a non-ASCII name: the pax writer of libarchive 3.6 and 3.7 then dereferences a null
/// name (libarchive#2233, fixed in libarchive#2856). Entry names are UTF-8 here, so libarchive's calls that touch them
/// run with the thread's character type set to UTF-8; the process's own locale is left alone.
enum UTF8Locale {
    nonisolated(unsafe) private static let locale: locale_t? = {
        let names: [String] = ["C.UTF-8", "C.utf8", "en_US.UTF-8"]
        return names.lazy.compactMap { name in newlocale(LC_CTYPE_MASK, name, nil) }.first
    }()

    static func run<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        guard let locale else { return try body() }
        let previous = uselocale(locale)
        defer { uselocale(previous) }
        return try body()
    }
}
