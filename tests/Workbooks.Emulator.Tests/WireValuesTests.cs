using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Tests;

/// <summary>The value formats of the guide, both ways, without a server.</summary>
public sealed class WireValuesTests
{
    [Theory]
    [InlineData("Fri May 15 14:36:54 UTC 2009", 2009, 5, 15, 14, 36, 54)]
    [InlineData("Fri Sept 7 14:00:00 UTC 2012", 2012, 9, 7, 14, 0, 0)]
    [InlineData("Tue Dec 24 09:00:00 UTC 2029", 2029, 12, 24, 9, 0, 0)]
    [InlineData("Fri September 1 16:30:00 UTC 2023", 2023, 9, 1, 16, 30, 0)]
    [InlineData("2023-06-26T10:00:00.000Z", 2023, 6, 26, 10, 0, 0)]
    [InlineData("2023-06-26 10:00", 2023, 6, 26, 10, 0, 0)]
    [InlineData("1700000000", 2023, 11, 14, 22, 13, 20)]
    public void DateTimesParseFromEveryFormSeenOnTheWire(string text, int y, int mo, int d, int h, int mi, int s)
    {
        Assert.True(WireValues.TryParseDateTime(text, out var value, out var hadTime));
        Assert.True(hadTime);
        Assert.Equal(new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc), value);
        Assert.Equal(DateTimeKind.Utc, value.Kind);
    }

    [Theory]
    [InlineData("22 May 2009", 2009, 5, 22)]
    [InlineData(" 2 May 2010", 2010, 5, 2)]
    [InlineData("01 Oct 2010", 2010, 10, 1)]
    [InlineData("1 September 2023", 2023, 9, 1)]
    [InlineData("2024-01-01", 2024, 1, 1)]
    public void DatesParseFromEveryFormSeenOnTheWire(string text, int y, int m, int d)
    {
        Assert.True(WireValues.TryParse(ValueKind.Date, text, out var value, out var error), error);
        Assert.Equal(new DateOnly(y, m, d), value);
    }

    [Theory]
    [InlineData("someday")]
    [InlineData("31 Feb 2024")]
    [InlineData("12 Foo 2024")]
    [InlineData("25:00:00 1 Jan 2024")]
    public void InvalidDatesAreRejected(string text) =>
        Assert.False(WireValues.TryParse(ValueKind.Date, text, out _, out _));

    [Fact]
    public void DatesFormatWithTheLeadingSpaceDayAndDatetimesInUtc()
    {
        Assert.Equal(" 2 May 2010", WireValues.FormatDate(new DateOnly(2010, 5, 2)));
        Assert.Equal("22 May 2009", WireValues.FormatDate(new DateOnly(2009, 5, 22)));
        Assert.Equal("Fri May 15 14:36:54 UTC 2009", WireValues.FormatDateTime(new DateTime(2009, 5, 15, 14, 36, 54, DateTimeKind.Utc)));
        Assert.Equal("Mon Jul 05 09:03:00 UTC 2010", WireValues.FormatDateTime(new DateTime(2010, 7, 5, 9, 3, 0, DateTimeKind.Utc)));
        Assert.Equal("21:30:00", WireValues.FormatTime(new TimeOnly(21, 30)));
    }

    [Theory]
    [InlineData("%Y-%m-%d", "2009-05-02")]
    [InlineData("%e %b %Y", " 2 May 2009")]
    [InlineData("%s", "1241231696")]
    [InlineData("%a %B %d %H:%M:%S %Z %Y", "Sat May 02 02:34:56 UTC 2009")]
    [InlineData("%I%p %j %%", "02AM 122 %")]
    public void StrftimePatternsRenderLikeTheCLocale(string pattern, string expected) =>
        Assert.Equal(expected, WireValues.Strftime(pattern, new DateTime(2009, 5, 2, 2, 34, 56, DateTimeKind.Utc)));

    [Theory]
    [InlineData("1000 GBP", 1000, "GBP", 0)]
    [InlineData("75.00 GBP 0", 75, "GBP", 0)]
    [InlineData("10000000", 10000000, "GBP", 0)]
    [InlineData("12.345678 USD 3", 12.34568, "USD", 3)]
    [InlineData("5000.00 !!! 3", 5000, "!!!", 3)]
    public void CurrencyValuesParseAmountCodeAndFlags(string text, double amount, string code, int flags)
    {
        Assert.True(WireValues.TryParseCurrency(text, out var value));
        Assert.Equal((decimal)amount, value.Amount);
        Assert.Equal(code, value.Code);
        Assert.Equal(flags, value.Flags);
    }

    [Theory]
    [InlineData("12 GB")]
    [InlineData("abc GBP")]
    [InlineData("1 GBP 7")]
    public void MalformedCurrencyIsRejected(string text) => Assert.False(WireValues.TryParseCurrency(text, out _));

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("t", true)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("y", true)]
    [InlineData("false", false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("nope", false)]
    public void BooleansFollowTheGuidesTruthList(string text, bool expected) => Assert.Equal(expected, WireValues.ParseBoolean(text));

    [Theory]
    [InlineData(300, "5 minutes")]
    [InlineData(900, "15 minutes")]
    [InlineData(3600, "1 hour")]
    [InlineData(5400, "1 hour 30 minutes")]
    [InlineData(86400, "1 day")]
    public void DurationsRenderAsEnglish(long seconds, string expected) => Assert.Equal(expected, WireValues.FormatDuration(seconds));

    [Fact]
    public void RelativeTimesRenderAsTheServiceDoes()
    {
        var now = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        Assert.Equal("less than a minute ago", WireValues.FormatRelative(now.AddSeconds(-20), now));
        Assert.Equal("15 minutes ago", WireValues.FormatRelative(now.AddMinutes(-15), now));
    }

    [Fact]
    public void NestedKeysNormaliseToTheOutputForm()
    {
        Assert.Equal("org_lead_party[main_location[email]]", ColumnResolver.NormaliseNestedKey("org_lead_party[main_location][email]"));
        Assert.Equal("main_location[town]", ColumnResolver.NormaliseNestedKey("main_location[town]"));
        Assert.Equal("name", ColumnResolver.NormaliseNestedKey("name"));
    }

    [Fact]
    public void EqListsSplitOnUnescapedCommasOnly() =>
        Assert.Equal(["a,b", "c", ""], FilterCompiler.SplitList("a\\,b,c,"));
}
