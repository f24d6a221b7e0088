using System.Globalization;
using System.Text;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Query;

/// <summary>A currency value: amount, ISO code (or <c>!!!</c> for mixed) and modify flags 0–3.</summary>
internal readonly record struct CurrencyValue(decimal Amount, string Code, int Flags)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Amount.ToString("0.00###", CultureInfo.InvariantCulture)} {Code} {Flags}");
}

/// <summary>Output formats chosen by the session or the request (<c>_json_output_*_format</c>).</summary>
internal sealed record OutputFormats(string? DateFormat, string? TimeFormat, string? DateTimeFormat)
{
    public static readonly OutputFormats Default = new(null, null, null);
}

/// <summary>
/// Parses the values clients send (tolerantly: every form the guide and the official bindings use) and formats
/// the values the service returns (exactly: the documented defaults or the requested strftime patterns).
/// </summary>
internal static class WireValues
{
    private static readonly string[] MonthAbbrev = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] MonthFull = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] DayAbbrev = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] DayFull = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    // ---------------------------------------------------------------- parsing

    /// <summary>Parses a client value for a field; returns false with a message when it is not valid for the datatype.</summary>
    public static bool TryParse(ValueKind kind, string text, out object? value, out string? error)
    {
        error = null;
        value = null;
        var t = text.Trim();
        switch (kind)
        {
            case ValueKind.Text:
                value = text;
                return true;
            case ValueKind.Integer:
            case ValueKind.Duration:
                if (t.Length == 0) return true;
                if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) { value = l; return true; }
                // The bindings sometimes send "12.0" or a value polluted by a second '?': take the leading integer.
                var lead = LeadingInteger(t);
                if (lead is not null) { value = lead.Value; return true; }
                error = "is not a number";
                return false;
            case ValueKind.Float:
                if (t.Length == 0) return true;
                if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) { value = d; return true; }
                error = "is not a number";
                return false;
            case ValueKind.Decimal:
                if (t.Length == 0) return true;
                if (decimal.TryParse(t, NumberStyles.Number, CultureInfo.InvariantCulture, out var m)) { value = m; return true; }
                error = "is not a number";
                return false;
            case ValueKind.Boolean:
                value = ParseBoolean(t);
                return true;
            case ValueKind.Date:
                if (t.Length == 0) return true;
                if (TryParseDateTime(t, out var dt, out _)) { value = DateOnly.FromDateTime(dt); return true; }
                error = "is not a valid date";
                return false;
            case ValueKind.DateTime:
            case ValueKind.Relative:
                if (t.Length == 0) return true;
                if (TryParseDateTime(t, out var dtt, out _)) { value = dtt; return true; }
                error = "is not a valid date and time";
                return false;
            case ValueKind.Time:
                if (t.Length == 0) return true;
                if (TryParseTime(t, out var time)) { value = time; return true; }
                error = "is not a valid time";
                return false;
            case ValueKind.Currency:
                if (t.Length == 0) return true;
                if (TryParseCurrency(t, out var c)) { value = c; return true; }
                error = "is not a valid currency value";
                return false;
            case ValueKind.Interval:
                if (t.Length == 0) return true;
                if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var secs)) { value = secs; return true; }
                error = "is not a valid interval";
                return false;
            default:
                value = text;
                return true;
        }
    }

    /// <summary>The guide: "true", "t", "on", "1", "yes" and "y" are true; everything else is false (case-insensitively, for C#'s "True").</summary>
    public static bool ParseBoolean(string text)
    {
        var t = text.Trim();
        return t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.Equals("t", StringComparison.OrdinalIgnoreCase)
            || t.Equals("on", StringComparison.OrdinalIgnoreCase) || t == "1" || t.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || t.Equals("y", StringComparison.OrdinalIgnoreCase);
    }

    public static long? LeadingInteger(string text)
    {
        var i = 0;
        if (i < text.Length && (text[i] == '-' || text[i] == '+')) i++;
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i == start) return null;
        return long.TryParse(text.AsSpan(0, i), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    public static bool TryParseCurrency(string text, out CurrencyValue value)
    {
        value = default;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 3) return false;
        if (!decimal.TryParse(parts[0], NumberStyles.Number, CultureInfo.InvariantCulture, out var amount)) return false;
        var code = parts.Length > 1 ? parts[1].ToUpperInvariant() : "GBP";
        if (code != "!!!" && (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))) return false;
        var flags = 0;
        if (parts.Length > 2 && (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out flags) || flags is < 0 or > 3)) return false;
        value = new CurrencyValue(decimal.Round(amount, 5), code, flags);
        return true;
    }

    public static bool TryParseTime(string text, out TimeOnly time)
    {
        if (TimeOnly.TryParseExact(text, ["HH:mm:ss", "H:mm:ss", "HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
            return true;
        if (TryParseDateTime(text, out var dt, out var hadTime) && hadTime)
        {
            time = TimeOnly.FromDateTime(dt);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Parses every date/datetime form seen on the wire: <c>Fri May 15 14:36:54 UTC 2009</c>, <c>Fri Sept 7 14:00:00 UTC 2012</c>,
    /// <c>22 May 2009</c>, <c> 2 May 2010</c>, <c>1 September 2023</c>, ISO 8601 (<c>2024-01-01</c>, <c>2023-06-26T10:00:00.000Z</c>,
    /// <c>2023-06-26 10:00</c>) and epoch seconds. The result is UTC.
    /// </summary>
    public static bool TryParseDateTime(string text, out DateTime value, out bool hadTime)
    {
        value = default;
        hadTime = false;
        var t = text.Trim();
        if (t.Length == 0) return false;

        if (t.All(char.IsAsciiDigit) && t.Length >= 5)
        {
            if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)) return false;
            value = DateTimeOffset.FromUnixTimeSeconds(epoch).UtcDateTime;
            hadTime = true;
            return true;
        }

        if (t.Length >= 10 && char.IsAsciiDigit(t[0]) && t[4] == '-')
        {
            if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var iso))
            {
                value = DateTime.SpecifyKind(iso.UtcDateTime, DateTimeKind.Utc);
                hadTime = t.Length > 10;
                return true;
            }
            return false;
        }

        int? day = null, month = null, year = null;
        int hour = 0, minute = 0, second = 0;
        foreach (var raw in t.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var token = raw.TrimEnd('.');
            if (token.Contains(':'))
            {
                var hms = token.Split(':');
                if (hms.Length is < 2 or > 3) return false;
                if (!int.TryParse(hms[0], NumberStyles.None, CultureInfo.InvariantCulture, out hour) || hour > 23) return false;
                if (!int.TryParse(hms[1], NumberStyles.None, CultureInfo.InvariantCulture, out minute) || minute > 59) return false;
                if (hms.Length == 3 && (!int.TryParse(hms[2].Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out second) || second > 60)) return false;
                hadTime = true;
            }
            else if (token.All(char.IsAsciiDigit))
            {
                var n = int.Parse(token, CultureInfo.InvariantCulture);
                if (token.Length == 4 || n > 31) year = n;
                else if (day is null) day = n;
                else return false;
            }
            else if (token.Length >= 3 && token.All(char.IsAsciiLetter))
            {
                var m = MonthOf(token);
                if (m is not null) { month = m; continue; }
                if (IsDayName(token) || token.Equals("UTC", StringComparison.OrdinalIgnoreCase) || token.Equals("GMT", StringComparison.OrdinalIgnoreCase)) continue;
                return false;
            }
            else if (token.Length > 0 && (token[0] == '+' || token[0] == '-') && token[1..].All(char.IsAsciiDigit))
            {
                // "+0000" zone offsets: the API always speaks UTC.
                continue;
            }
            else
            {
                return false;
            }
        }
        if (day is null || month is null || year is null) return false;
        if (day < 1 || day > DateTime.DaysInMonth(year.Value, month.Value)) return false;
        value = new DateTime(year.Value, month.Value, day.Value, hour, minute, Math.Min(second, 59), DateTimeKind.Utc);
        return true;
    }

    private static int? MonthOf(string token)
    {
        for (var i = 0; i < 12; i++)
        {
            // "Sept" and full names are seen in the guide and the examples.
            if (token.Equals(MonthAbbrev[i], StringComparison.OrdinalIgnoreCase) || token.Equals(MonthFull[i], StringComparison.OrdinalIgnoreCase)
                || (token.Length >= 3 && MonthFull[i].StartsWith(token, StringComparison.OrdinalIgnoreCase)))
                return i + 1;
        }
        return null;
    }

    private static bool IsDayName(string token) =>
        DayAbbrev.Any(d => d.Equals(token, StringComparison.OrdinalIgnoreCase)) || DayFull.Any(d => d.Equals(token, StringComparison.OrdinalIgnoreCase))
        || (token.Length >= 3 && DayFull.Any(d => d.StartsWith(token, StringComparison.OrdinalIgnoreCase)));

    // ---------------------------------------------------------------- formatting

    /// <summary>The documented default: <c>%e %b %Y</c> (a leading space for days below 10).</summary>
    public static string FormatDate(DateOnly date, string? format = null) =>
        format is null
            ? string.Create(CultureInfo.InvariantCulture, $"{date.Day,2} {MonthAbbrev[date.Month - 1]} {date.Year}")
            : Strftime(format, date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));

    /// <summary>The documented default: <c>%a %b %d %H:%M:%S %Z %Y</c>, always UTC.</summary>
    public static string FormatDateTime(DateTime value, string? format = null) =>
        format is null
            ? string.Create(CultureInfo.InvariantCulture, $"{DayAbbrev[(int)value.DayOfWeek]} {MonthAbbrev[value.Month - 1]} {value.Day:00} {value.Hour:00}:{value.Minute:00}:{value.Second:00} UTC {value.Year}")
            : Strftime(format, value);

    /// <summary>The documented default: <c>%H:%M:%S</c>.</summary>
    public static string FormatTime(TimeOnly time, string? format = null) =>
        format is null
            ? time.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : Strftime(format, new DateTime(2000, 1, 1, time.Hour, time.Minute, time.Second, DateTimeKind.Utc));

    /// <summary>time_duration: "300 => 15 minutes" style English text.</summary>
    public static string FormatDuration(long seconds)
    {
        if (seconds < 60) return seconds == 1 ? "1 second" : $"{seconds} seconds";
        var minutes = seconds / 60;
        if (minutes < 60) return minutes == 1 ? "1 minute" : $"{minutes} minutes";
        var hours = minutes / 60;
        var rest = minutes % 60;
        var h = hours == 1 ? "1 hour" : $"{hours} hours";
        if (hours >= 24 && rest == 0 && hours % 24 == 0) return hours == 24 ? "1 day" : $"{hours / 24} days";
        return rest == 0 ? h : $"{h} {rest} minutes";
    }

    /// <summary>time_relative: "less than a minute ago", "15 minutes ago", "about 2 hours ago", "3 days ago".</summary>
    public static string FormatRelative(DateTime then, DateTime now)
    {
        var span = now - then;
        var future = span < TimeSpan.Zero;
        if (future) span = -span;
        string text;
        if (span.TotalMinutes < 1) text = "less than a minute";
        else if (span.TotalMinutes < 2) text = "1 minute";
        else if (span.TotalMinutes < 45) text = $"{(int)span.TotalMinutes} minutes";
        else if (span.TotalHours < 2) text = "about 1 hour";
        else if (span.TotalHours < 24) text = $"about {(int)span.TotalHours} hours";
        else if (span.TotalDays < 2) text = "1 day";
        else if (span.TotalDays < 30) text = $"{(int)span.TotalDays} days";
        else if (span.TotalDays < 365) text = $"{(int)(span.TotalDays / 30)} months";
        else text = $"over {(int)(span.TotalDays / 365)} years";
        return future ? "in " + text : text + " ago";
    }

    /// <summary>A C-locale strftime subset covering every conversion the Workbooks documentation uses (and <c>%s</c>).</summary>
    public static string Strftime(string format, DateTime value)
    {
        var sb = new StringBuilder(format.Length + 16);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%' || i == format.Length - 1)
            {
                sb.Append(c);
                continue;
            }
            var spec = format[++i];
            var ci = CultureInfo.InvariantCulture;
            switch (spec)
            {
                case 'a': sb.Append(DayAbbrev[(int)value.DayOfWeek]); break;
                case 'A': sb.Append(DayFull[(int)value.DayOfWeek]); break;
                case 'b': case 'h': sb.Append(MonthAbbrev[value.Month - 1]); break;
                case 'B': sb.Append(MonthFull[value.Month - 1]); break;
                case 'd': sb.Append(value.Day.ToString("00", ci)); break;
                case 'e': sb.Append(value.Day.ToString(ci).PadLeft(2)); break;
                case 'm': sb.Append(value.Month.ToString("00", ci)); break;
                case 'y': sb.Append((value.Year % 100).ToString("00", ci)); break;
                case 'Y': sb.Append(value.Year.ToString(ci)); break;
                case 'H': sb.Append(value.Hour.ToString("00", ci)); break;
                case 'I': sb.Append(((value.Hour + 11) % 12 + 1).ToString("00", ci)); break;
                case 'M': sb.Append(value.Minute.ToString("00", ci)); break;
                case 'S': sb.Append(value.Second.ToString("00", ci)); break;
                case 'p': sb.Append(value.Hour < 12 ? "AM" : "PM"); break;
                case 'j': sb.Append(value.DayOfYear.ToString("000", ci)); break;
                case 'Z': sb.Append("UTC"); break;
                case 'z': sb.Append("+0000"); break;
                case 's': sb.Append(new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToUnixTimeSeconds().ToString(ci)); break;
                case 'F': sb.Append(value.ToString("yyyy-MM-dd", ci)); break;
                case 'T': sb.Append(value.ToString("HH:mm:ss", ci)); break;
                case 'L': sb.Append(value.Millisecond.ToString("000", ci)); break;
                case '%': sb.Append('%'); break;
                default: sb.Append('%').Append(spec); break;
            }
        }
        return sb.ToString();
    }
}
