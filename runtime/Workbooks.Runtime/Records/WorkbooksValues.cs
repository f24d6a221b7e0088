using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Workbooks.Records;

/// <summary>
/// Formats values the way the Workbooks service expects them and parses every form it (and its documentation) uses.
/// <c>Format*</c> methods produce the service's default wire form and throw <see cref="ArgumentException"/> for a value
/// the wire cannot represent; <c>TryParse*</c> methods never throw on bad input, they return false.
/// Everything is culture-invariant; date-times are always UTC.
/// </summary>
internal static class WorkbooksValues
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly string[] MonthAbbrev = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] MonthFull = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] DayAbbrev = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] DayFull = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] TimeFormats = ["HH:mm:ss", "H:mm:ss", "HH:mm", "H:mm", "HH:mm:ss.FFFFFFF", "H:mm:ss.FFFFFFF"];

    private const long MinEpochSeconds = -62_135_596_800;
    private const long MaxEpochSeconds = 253_402_300_799;

    // ------------------------------------------------------------------------------------------------ dates

    /// <summary>Formats a date as the service's default <c>%e %b %Y</c>: days below 10 get a leading space (<c>" 2 May 2010"</c>).</summary>
    public static string FormatDate(DateOnly value) =>
        string.Create(Invariant, $"{value.Day,2} {MonthAbbrev[value.Month - 1]} {value.Year}");

    /// <summary>Formats a date as ISO 8601 <c>yyyy-MM-dd</c> (accepted everywhere a date is; used in <c>between</c> filters).</summary>
    public static string FormatIsoDate(DateOnly value) => value.ToString("yyyy-MM-dd", Invariant);

    /// <summary>
    /// Parses a date: <c>" 2 May 2010"</c>, <c>22 May 2009</c>, <c>01 Oct 2010</c>, <c>1 September 2023</c>, ISO
    /// <c>2024-01-01</c>, epoch seconds (UTC), or any date-time form (its calendar date is taken).
    /// </summary>
    /// <param name="text">The text; null or blank is not a date.</param>
    /// <param name="value">The date, when the method returns true.</param>
    /// <returns>Whether <paramref name="text"/> is a date.</returns>
    public static bool TryParseDate(string? text, out DateOnly value)
    {
        value = default;
        if (!TryParseMoment(text, out var clock, out _, out _)) return false;
        value = DateOnly.FromDateTime(clock);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ date-times

    /// <summary>
    /// Formats a date-time as the service's default <c>%a %b %d %H:%M:%S %Z %Y</c> in UTC, e.g.
    /// <c>Fri May 15 14:36:54 UTC 2009</c>. The value is converted to UTC; fractions of a second are dropped.
    /// </summary>
    public static string FormatDateTime(DateTimeOffset value)
    {
        var u = value.UtcDateTime;
        return string.Create(Invariant,
            $"{DayAbbrev[(int)u.DayOfWeek]} {MonthAbbrev[u.Month - 1]} {u.Day:00} {u.Hour:00}:{u.Minute:00}:{u.Second:00} UTC {u.Year}");
    }

    /// <summary>Formats a date-time as seconds since the Unix epoch (accepted by the service wherever a date-time is).</summary>
    public static string FormatEpochSeconds(DateTimeOffset value) => value.ToUnixTimeSeconds().ToString(Invariant);

    /// <summary>
    /// Parses a date-time: <c>Fri May 15 14:36:54 UTC 2009</c>, <c>Fri Sept 7 14:00:00 UTC 2012</c>, full month names,
    /// ISO 8601 with or without milliseconds and zone (<c>2023-06-26T10:00:00.000Z</c>, <c>2023-06-26 10:00</c>; no zone
    /// means UTC), a plain date (midnight UTC) or epoch seconds.
    /// </summary>
    /// <param name="text">The text; null or blank is not a date-time.</param>
    /// <param name="value">The instant with offset zero, when the method returns true.</param>
    /// <returns>Whether <paramref name="text"/> is a date-time.</returns>
    public static bool TryParseDateTime(string? text, out DateTimeOffset value)
    {
        value = default;
        if (!TryParseMoment(text, out var clock, out var offset, out _)) return false;
        try
        {
            value = new DateTimeOffset(clock, offset).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Converts epoch seconds (as the service sends with <c>_json_output_datetime_format=%s</c>) to a UTC instant.</summary>
    /// <param name="seconds">Seconds since 1970-01-01T00:00:00Z.</param>
    /// <param name="value">The instant with offset zero, when the method returns true.</param>
    /// <returns>False when the number is outside the range of <see cref="DateTimeOffset"/>.</returns>
    public static bool TryFromEpochSeconds(long seconds, out DateTimeOffset value)
    {
        value = default;
        if (seconds is < MinEpochSeconds or > MaxEpochSeconds) return false;
        value = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    /// <summary>
    /// The common parser for dates and date-times. <paramref name="clock"/> is the wall-clock time in
    /// <paramref name="offset"/> (zero unless the text named another offset).
    /// </summary>
    private static bool TryParseMoment(string? text, out DateTime clock, out TimeSpan offset, out bool hadTime)
    {
        clock = default;
        offset = TimeSpan.Zero;
        hadTime = false;
        if (text is null) return false;
        var t = text.AsSpan().Trim();
        if (t.IsEmpty) return false;

        // Epoch seconds (optionally signed).
        if (IsInteger(t))
        {
            if (!long.TryParse(t, NumberStyles.AllowLeadingSign, Invariant, out var epoch) || !TryFromEpochSeconds(epoch, out var instant))
                return false;
            clock = instant.UtcDateTime;
            hadTime = true;
            return true;
        }

        // ISO 8601: 2024-01-01, 2023-06-26 10:00, 2023-06-26T10:00:00.000Z, 2023-06-26T10:00:00+01:00.
        if (t.Length >= 10 && char.IsAsciiDigit(t[0]) && char.IsAsciiDigit(t[3]) && t[4] == '-' && t[7] == '-')
        {
            if (!DateTimeOffset.TryParse(t, Invariant, DateTimeStyles.AssumeUniversal, out var iso)) return false;
            clock = iso.DateTime;
            offset = iso.Offset;
            hadTime = t.Length > 10;
            return true;
        }

        // The documented default, exactly: "Mon Nov 23 10:00:00 UTC 2026" (most values of a page), without tokenising.
        if (TryParseDefaultFormat(t, out clock))
        {
            hadTime = true;
            return true;
        }

        return TryParseTextual(t, out clock, out offset, out hadTime);
    }

    /// <summary>The documented default date-time format, read straight from a JSON string's UTF-8 bytes (no string
    /// is made); false for anything else, which the general parser then reads.</summary>
    internal static bool TryParseDefaultDateTime(ReadOnlySpan<byte> utf8, out DateTimeOffset value)
    {
        if (!TryParseDefaultFormat(utf8, out var clock))
        {
            value = default;
            return false;
        }
        value = new DateTimeOffset(clock, TimeSpan.Zero);
        return true;
    }

    /// <summary>
    /// <c>%a %b %d %H:%M:%S UTC %Y</c> at fixed positions, in UTF-16 or UTF-8; false (not an error) for anything else.
    /// Day and month names are matched as three ASCII letters in any case, without a table walk.
    /// </summary>
    private static bool TryParseDefaultFormat<T>(ReadOnlySpan<T> t, out DateTime clock) where T : unmanaged, IBinaryInteger<T>
    {
        clock = default;
        if (t.Length != 28 || At(t, 3) != ' ' || At(t, 7) != ' ' || At(t, 10) != ' ' || At(t, 13) != ':' || At(t, 16) != ':'
            || At(t, 19) != ' ' || At(t, 20) != 'U' || At(t, 21) != 'T' || At(t, 22) != 'C' || At(t, 23) != ' '
            || !IsDayName(Letters(t, 0)) || MonthOf(Letters(t, 4)) is not (> 0 and var month)
            || !TwoDigits(t, 8, out var day) || !TwoDigits(t, 11, out var hour) || !TwoDigits(t, 14, out var minute)
            || !TwoDigits(t, 17, out var second) || !TwoDigits(t, 24, out var century) || !TwoDigits(t, 26, out var yy))
            return false;
        var year = century * 100 + yy;
        if (year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        clock = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int At<T>(ReadOnlySpan<T> t, int at) where T : unmanaged, IBinaryInteger<T> => int.CreateTruncating(t[at]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TwoDigits<T>(ReadOnlySpan<T> t, int at, out int value) where T : unmanaged, IBinaryInteger<T>
    {
        int tens = At(t, at) - '0', units = At(t, at + 1) - '0';
        value = tens * 10 + units;
        return (uint)tens <= 9 && (uint)units <= 9;
    }

    /// <summary>Three ASCII letters at <paramref name="at"/>, lower-cased and packed into one int; 0 when any is not
    /// an ASCII letter.</summary>
    private static int Letters<T>(ReadOnlySpan<T> t, int at) where T : unmanaged, IBinaryInteger<T>
    {
        int a = At(t, at) | 0x20, b = At(t, at + 1) | 0x20, c = At(t, at + 2) | 0x20;
        return (uint)(a - 'a') <= 'z' - 'a' && (uint)(b - 'a') <= 'z' - 'a' && (uint)(c - 'a') <= 'z' - 'a' ? a << 16 | b << 8 | c : 0;
    }

    private static int Pack(string three) => three[0] << 16 | three[1] << 8 | three[2];

    private static readonly int[] MonthLetters = [.. MonthFull.Select(m => Pack(m.ToLowerInvariant()))];

    private static readonly int[] DayLetters = [.. DayFull.Select(d => Pack(d.ToLowerInvariant()))];

    private static int MonthOf(int letters) => letters == 0 ? 0 : Array.IndexOf(MonthLetters, letters) + 1;

    private static bool IsDayName(int letters) => letters != 0 && Array.IndexOf(DayLetters, letters) >= 0;

    /// <summary>Parses <c>[weekday] month day [time] [zone] year</c> or <c>day month year [time] [zone]</c>, in any order.</summary>
    private static bool TryParseTextual(ReadOnlySpan<char> t, out DateTime clock, out TimeSpan offset, out bool hadTime)
    {
        clock = default;
        offset = TimeSpan.Zero;
        hadTime = false;
        int? day = null, month = null, year = null;
        int hour = 0, minute = 0, second = 0;
        var i = 0;
        while (i < t.Length)
        {
            if (t[i] is ' ' or ',' or '\t')
            {
                i++;
                continue;
            }
            var start = i;
            while (i < t.Length && t[i] is not (' ' or ',' or '\t')) i++;
            var token = t[start..i].TrimEnd('.');
            if (token.IsEmpty) continue;

            if (token.Contains(':'))
            {
                if (!TryParseClock(token, out hour, out minute, out second)) return false;
                hadTime = true;
            }
            else if (IsDigits(token))
            {
                if (token.Length > 9 || !int.TryParse(token, NumberStyles.None, Invariant, out var n)) return false;
                if (token.Length == 4 || n > 31)
                {
                    if (year is not null) return false;
                    year = n;
                }
                else if (day is null)
                {
                    day = n;
                }
                else
                {
                    return false;
                }
            }
            else if (IsLetters(token))
            {
                if (MonthOf(token) is { } m)
                {
                    if (month is not null) return false;
                    month = m;
                }
                else if (!IsDayName(token) && !IsUtcName(token))
                {
                    return false;
                }
            }
            else if (token.Length == 5 && token[0] is '+' or '-' && IsDigits(token[1..]))
            {
                var hh = (token[1] - '0') * 10 + (token[2] - '0');
                var mm = (token[3] - '0') * 10 + (token[4] - '0');
                if (hh > 14 || mm > 59) return false;
                offset = new TimeSpan(hh, mm, 0);
                if (token[0] == '-') offset = -offset;
            }
            else
            {
                return false;
            }
        }
        if (day is not { } d || month is not { } mo || year is not { } y) return false;
        if (y is < 1 or > 9999 || d < 1 || d > DateTime.DaysInMonth(y, mo)) return false;
        clock = new DateTime(y, mo, d, hour, minute, Math.Min(second, 59), DateTimeKind.Unspecified);
        return true;
    }

    private static bool TryParseClock(ReadOnlySpan<char> token, out int hour, out int minute, out int second)
    {
        hour = minute = second = 0;
        var first = token.IndexOf(':');
        var rest = token[(first + 1)..];
        var secondColon = rest.IndexOf(':');
        var h = token[..first];
        var m = secondColon < 0 ? rest : rest[..secondColon];
        var s = secondColon < 0 ? [] : rest[(secondColon + 1)..];
        var dot = s.IndexOf('.');
        if (dot >= 0)
        {
            if (!IsDigits(s[(dot + 1)..])) return false;
            s = s[..dot];
        }
        if (!IsDigits(h) || h.Length > 2 || !IsDigits(m) || m.Length != 2) return false;
        if (secondColon >= 0 && (!IsDigits(s) || s.Length != 2)) return false;
        hour = int.Parse(h, NumberStyles.None, Invariant);
        minute = int.Parse(m, NumberStyles.None, Invariant);
        second = secondColon < 0 ? 0 : int.Parse(s, NumberStyles.None, Invariant);
        return hour <= 23 && minute <= 59 && second <= 60;
    }

    private static int? MonthOf(ReadOnlySpan<char> token)
    {
        for (var i = 0; i < 12; i++)
        {
            // "Sep", "Sept" and "September" are all seen in the guide and the examples.
            if (token.Length >= 3 && MonthFull[i].AsSpan().StartsWith(token, StringComparison.OrdinalIgnoreCase))
                return i + 1;
        }
        return null;
    }

    private static bool IsDayName(ReadOnlySpan<char> token)
    {
        if (token.Length < 3) return false;
        foreach (var name in DayFull)
        {
            if (name.AsSpan().StartsWith(token, StringComparison.OrdinalIgnoreCase)) return true;
        }
        // "Tues", "Thur", "Thurs" are prefixes of the full names; nothing else is a day name.
        return false;
    }

    private static bool IsUtcName(ReadOnlySpan<char> token) =>
        token.Equals("UTC", StringComparison.OrdinalIgnoreCase) || token.Equals("GMT", StringComparison.OrdinalIgnoreCase)
        || token.Equals("Z", StringComparison.OrdinalIgnoreCase);

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }
        return true;
    }

    private static bool IsInteger(ReadOnlySpan<char> s) => s.Length > 1 && s[0] is '-' or '+' ? IsDigits(s[1..]) : IsDigits(s);

    private static bool IsLetters(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiLetter(c)) return false;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ times

    /// <summary>Formats a time of day as <c>%H:%M:%S</c> (<c>21:30:00</c>); fractions of a second are dropped.</summary>
    public static string FormatTime(TimeOnly value) => value.ToString("HH:mm:ss", Invariant);

    /// <summary>Parses a time of day: <c>21:30:00</c>, <c>9:05</c>, <c>21:30:00.5</c>.</summary>
    /// <param name="text">The text; null or blank is not a time.</param>
    /// <param name="value">The time, when the method returns true.</param>
    /// <returns>Whether <paramref name="text"/> is a time.</returns>
    public static bool TryParseTime(string? text, out TimeOnly value)
    {
        value = default;
        if (text is null) return false;
        return TimeOnly.TryParseExact(text.AsSpan().Trim(), TimeFormats, Invariant, DateTimeStyles.None, out value);
    }

    // ------------------------------------------------------------------------------------------------ booleans

    /// <summary>Formats a boolean for a change: <c>1</c> or <c>0</c> (the service reads <c>1</c> as true, anything else as false).</summary>
    public static string FormatBoolean(bool value) => value ? "1" : "0";

    /// <summary>
    /// Parses a boolean, case-insensitively: <c>true</c>, <c>t</c>, <c>on</c>, <c>1</c>, <c>yes</c>, <c>y</c> are true;
    /// <c>false</c>, <c>f</c>, <c>off</c>, <c>0</c>, <c>no</c>, <c>n</c> are false; anything else is not a boolean.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The boolean, when the method returns true.</param>
    /// <returns>Whether <paramref name="text"/> is one of the recognised spellings.</returns>
    public static bool TryParseBoolean(string? text, out bool value)
    {
        value = false;
        if (text is null) return false;
        var t = text.AsSpan().Trim();
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.Equals("t", StringComparison.OrdinalIgnoreCase)
            || t.Equals("on", StringComparison.OrdinalIgnoreCase) || t.Equals("1", StringComparison.Ordinal)
            || t.Equals("yes", StringComparison.OrdinalIgnoreCase) || t.Equals("y", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }
        return t.Equals("false", StringComparison.OrdinalIgnoreCase) || t.Equals("f", StringComparison.OrdinalIgnoreCase)
            || t.Equals("off", StringComparison.OrdinalIgnoreCase) || t.Equals("0", StringComparison.Ordinal)
            || t.Equals("no", StringComparison.OrdinalIgnoreCase) || t.Equals("n", StringComparison.OrdinalIgnoreCase);
    }

    // ------------------------------------------------------------------------------------------------ numbers

    /// <summary>Formats an integer (invariant culture).</summary>
    public static string FormatInt64(long value) => value.ToString(Invariant);

    /// <summary>Parses an integer; an integral decimal such as <c>12.0</c> is accepted too.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The integer, when the method returns true.</param>
    /// <returns>Whether <paramref name="text"/> is an integer.</returns>
    public static bool TryParseInt64(string? text, out long value)
    {
        value = 0;
        if (text is null) return false;
        var t = text.AsSpan().Trim();
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, Invariant, out value)) return true;
        if (decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, Invariant, out var d)
            && d == decimal.Truncate(d) && d >= long.MinValue && d <= long.MaxValue)
        {
            value = (long)d;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>Formats a decimal exactly (invariant culture, scale kept: <c>1.50</c>).</summary>
    public static string FormatDecimal(decimal value) => value.ToString(Invariant);

    /// <summary>Parses a decimal number (invariant culture; an exponent is accepted).</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The number, when the method returns true.</param>
    /// <returns>Whether <paramref name="text"/> is a decimal number.</returns>
    public static bool TryParseDecimal(string? text, out decimal value)
    {
        value = 0;
        return text is not null && decimal.TryParse(text.AsSpan().Trim(), NumberStyles.Float, Invariant, out value);
    }

    /// <summary>Formats a floating-point number so that it round-trips (invariant culture).</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite, which the service cannot store.</exception>
    public static string FormatDouble(double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"A float field cannot hold {value.ToString(Invariant)}: only finite numbers can be sent.", nameof(value));
        return value.ToString("R", Invariant);
    }

    /// <summary>Parses a finite floating-point number (invariant culture).</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The number, when the method returns true.</param>
    /// <returns>Whether <paramref name="text"/> is a finite number.</returns>
    public static bool TryParseDouble(string? text, out double value)
    {
        value = 0;
        if (text is null || !double.TryParse(text.AsSpan().Trim(), NumberStyles.Float, Invariant, out value)) return false;
        if (double.IsFinite(value)) return true;
        value = 0;
        return false;
    }

    // ------------------------------------------------------------------------------------------------ currency

    /// <summary>
    /// Formats a currency value as <c>"amount code flags"</c> (<c>75.00 GBP 0</c>); with no code, only the amount is sent
    /// and the service applies its default currency.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The amount has more than 5 decimal places, the code is not three ASCII letters or <c>!!!</c>, the flags are not 0–3,
    /// or flags are given without a code.
    /// </exception>
    public static string FormatCurrency(WorkbooksCurrency value)
    {
        if (decimal.Round(value.Amount, 5) != value.Amount)
            throw new ArgumentException($"The currency amount {value.Amount.ToString(Invariant)} has more than 5 decimal places, which the service cannot store.", nameof(value));
        if ((int)value.Flags is < 0 or > 3)
            throw new ArgumentException($"The currency flags must be 0 to 3, not {((int)value.Flags).ToString(Invariant)}.", nameof(value));
        if (value.Code is null)
        {
            if (value.Flags != CurrencyModifyFlags.None)
                throw new ArgumentException("Currency flags cannot be sent without a currency code.", nameof(value));
        }
        else if (!IsCurrencyCode(value.Code))
        {
            throw new ArgumentException($"'{value.Code}' is not a currency code: use three letters (ISO 4217) or '!!!'.", nameof(value));
        }
        return FormatCurrencyUnchecked(value);
    }

    /// <summary>The currency text without validation (for <see cref="WorkbooksCurrency.ToString"/>, which must not throw).</summary>
    internal static string FormatCurrencyUnchecked(WorkbooksCurrency value)
    {
        var amount = value.Amount.ToString(Invariant);
        return value.Code is null
            ? amount
            : string.Create(Invariant, $"{amount} {value.Code.ToUpperInvariant()} {(int)value.Flags}");
    }

    /// <summary>Parses a currency value: <c>1000 GBP</c>, <c>75.00 GBP 0</c>, <c>10000000</c> (no code), <c>!!!</c> (mixed).</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The currency value, when the method returns true.</param>
    /// <returns>Whether <paramref name="text"/> is a currency value.</returns>
    public static bool TryParseCurrency(string? text, out WorkbooksCurrency value)
    {
        value = default;
        if (text is null) return false;
        var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 3) return false;
        decimal amount = 0;
        var next = 0;
        if (parts[0] != WorkbooksCurrency.MixedCode)
        {
            if (!decimal.TryParse(parts[0], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, Invariant, out amount))
                return false;
            next = 1;
        }
        else if (parts.Length > 2)
        {
            return false;
        }
        string? code = null;
        if (next < parts.Length)
        {
            code = parts[next].ToUpperInvariant();
            if (!IsCurrencyCode(code)) return false;
            next++;
        }
        var flags = 0;
        if (next < parts.Length && (!int.TryParse(parts[next], NumberStyles.None, Invariant, out flags) || flags > 3))
            return false;
        value = new WorkbooksCurrency(amount, code, (CurrencyModifyFlags)flags);
        return true;
    }

    private static bool IsCurrencyCode(string code) =>
        code == WorkbooksCurrency.MixedCode || (code.Length == 3 && char.IsAsciiLetter(code[0]) && char.IsAsciiLetter(code[1]) && char.IsAsciiLetter(code[2]));

    // ------------------------------------------------------------------------------------------------ arrays and tags

    /// <summary>Formats an <c>array</c> value: <c>[a,b,c]</c>.</summary>
    /// <exception cref="ArgumentException">A value is null or contains a comma (the service splits at commas and has no escape).</exception>
    public static string FormatArray(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = new System.Text.StringBuilder("[");
        var first = true;
        foreach (var v in values)
        {
            if (v is null) throw new ArgumentException("An array value cannot be null.", nameof(values));
            if (v.Contains(',', StringComparison.Ordinal))
                throw new ArgumentException($"The array value '{v}' contains a comma; Workbooks array values cannot contain the comma separator.", nameof(values));
            if (!first) builder.Append(',');
            builder.Append(v);
            first = false;
        }
        return builder.Append(']').ToString();
    }

    /// <summary>Formats an <c>array</c> of integers (e.g. ids): <c>[123,456]</c>.</summary>
    public static string FormatArray(IEnumerable<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return "[" + string.Join(',', values.Select(v => v.ToString(Invariant))) + "]";
    }

    /// <summary>Parses an <c>array</c> value <c>[a, b, c]</c> (spaces around the commas are removed; <c>[]</c> is empty).</summary>
    /// <param name="text">The text.</param>
    /// <param name="values">The values, when the method returns true.</param>
    /// <returns>False unless the text is enclosed in square brackets.</returns>
    public static bool TryParseArray(string? text, out IReadOnlyList<string> values)
    {
        values = [];
        if (text is null) return false;
        var t = text.AsSpan().Trim();
        if (t.Length < 2 || t[0] != '[' || t[^1] != ']') return false;
        var inner = t[1..^1].Trim();
        if (inner.IsEmpty) return true;
        var list = new List<string>();
        foreach (var range in inner.Split(','))
            list.Add(inner[range].Trim().ToString());
        values = list;
        return true;
    }

    /// <summary>Formats a <c>tag_array</c> value: the tags joined by a comma and a space (<c>a, b, c</c>); tags are trimmed.</summary>
    /// <exception cref="ArgumentException">A tag is null, blank or contains a comma.</exception>
    public static string FormatTags(IEnumerable<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var list = new List<string>();
        foreach (var tag in tags)
        {
            if (string.IsNullOrWhiteSpace(tag)) throw new ArgumentException("A tag cannot be null or blank.", nameof(tags));
            if (tag.Contains(',', StringComparison.Ordinal))
                throw new ArgumentException($"The tag '{tag}' contains a comma; tags are separated by commas and cannot contain one.", nameof(tags));
            list.Add(tag.Trim());
        }
        return string.Join(", ", list);
    }

    /// <summary>Parses a <c>tag_array</c> value: splits at commas, trims, drops empty entries (null gives an empty list).</summary>
    public static IReadOnlyList<string> ParseTags(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
