namespace Workbooks.Runtime.Tests.Wire;

public class WorkbooksValuesTests
{
    // ---------------------------------------------------------------- dates

    [Theory]
    [InlineData(2010, 5, 2, " 2 May 2010")]
    [InlineData(2009, 5, 22, "22 May 2009")]
    [InlineData(2029, 12, 31, "31 Dec 2029")]
    public void FormatDateUsesPercentEWithLeadingSpaceForSingleDigitDays(int y, int m, int d, string expected) =>
        Assert.Equal(expected, WorkbooksValues.FormatDate(new DateOnly(y, m, d)));

    [Theory]
    [InlineData(" 2 May 2010", 2010, 5, 2)]
    [InlineData("22 May 2009", 2009, 5, 22)]
    [InlineData("01 Oct 2010", 2010, 10, 1)]
    [InlineData("1 September 2023", 2023, 9, 1)]
    [InlineData("2024-01-01", 2024, 1, 1)]
    [InlineData("1262304000", 2010, 1, 1)]
    [InlineData("Fri May 15 14:36:54 UTC 2009", 2009, 5, 15)]
    [InlineData("2023-06-26T23:30:00+05:00", 2023, 6, 26)]
    public void TryParseDateAcceptsEveryDocumentedForm(string text, int y, int m, int d)
    {
        Assert.True(WorkbooksValues.TryParseDate(text, out var value));
        Assert.Equal(new DateOnly(y, m, d), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("31 Feb 2023")]
    [InlineData("not a date")]
    [InlineData("May 2023")]
    [InlineData("2023-13-01")]
    [InlineData("99999999999999999999")]
    public void TryParseDateReturnsFalseWithoutThrowingOnBadInput(string? text) =>
        Assert.False(WorkbooksValues.TryParseDate(text, out _));

    [Fact]
    public void DatesRoundTripThroughFormatAndParse()
    {
        for (var d = new DateOnly(2020, 1, 1); d < new DateOnly(2021, 1, 1); d = d.AddDays(7))
        {
            Assert.True(WorkbooksValues.TryParseDate(WorkbooksValues.FormatDate(d), out var back));
            Assert.Equal(d, back);
        }
    }

    // ---------------------------------------------------------------- date-times

    [Fact]
    public void FormatDateTimeRendersTheDefaultFormatInUtc()
    {
        var value = new DateTimeOffset(2009, 5, 15, 15, 36, 54, TimeSpan.FromHours(1));
        Assert.Equal("Fri May 15 14:36:54 UTC 2009", WorkbooksValues.FormatDateTime(value));
    }

    [Fact]
    public void FormatDateTimeZeroPadsTheDayAndDropsFractions()
    {
        var value = new DateTimeOffset(2012, 9, 7, 4, 5, 6, 789, TimeSpan.Zero);
        Assert.Equal("Fri Sep 07 04:05:06 UTC 2012", WorkbooksValues.FormatDateTime(value));
    }

    [Theory]
    [InlineData("Fri May 15 14:36:54 UTC 2009", "2009-05-15T14:36:54Z")]
    [InlineData("Fri Sept 7 14:00:00 UTC 2012", "2012-09-07T14:00:00Z")]
    [InlineData("Fri September 1 16:30:00 UTC 2023", "2023-09-01T16:30:00Z")]
    [InlineData("2023-06-26T10:00:00.000Z", "2023-06-26T10:00:00Z")]
    [InlineData("2023-06-26T10:00:00Z", "2023-06-26T10:00:00Z")]
    [InlineData("2023-06-26T10:00:00", "2023-06-26T10:00:00Z")]
    [InlineData("2023-06-26T11:00:00+01:00", "2023-06-26T10:00:00Z")]
    [InlineData("2023-06-26 10:00", "2023-06-26T10:00:00Z")]
    [InlineData("2024-01-01", "2024-01-01T00:00:00Z")]
    [InlineData("22 May 2009", "2009-05-22T00:00:00Z")]
    [InlineData("1242398214", "2009-05-15T14:36:54Z")]
    [InlineData("Tue Dec 24 09:00:00 +0000 2029", "2029-12-24T09:00:00Z")]
    public void TryParseDateTimeAcceptsEveryDocumentedFormAsUtc(string text, string expectedIso)
    {
        Assert.True(WorkbooksValues.TryParseDateTime(text, out var value));
        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal(DateTimeOffset.Parse(expectedIso, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("Fri May 15 25:36:54 UTC 2009")]
    [InlineData("Fri Foo 15 14:36:54 UTC 2009")]
    [InlineData("14:36:54")]
    [InlineData("2023-06-26T99:00")]
    [InlineData("")]
    public void TryParseDateTimeReturnsFalseOnBadInput(string text) =>
        Assert.False(WorkbooksValues.TryParseDateTime(text, out _));

    [Fact]
    public void DateTimesRoundTripToTheSecond()
    {
        var value = new DateTimeOffset(2031, 2, 28, 23, 59, 59, TimeSpan.Zero);
        Assert.True(WorkbooksValues.TryParseDateTime(WorkbooksValues.FormatDateTime(value), out var back));
        Assert.Equal(value, back);
        Assert.Equal("1930089599", WorkbooksValues.FormatEpochSeconds(value));
    }

    // ---------------------------------------------------------------- times, booleans, numbers

    [Fact]
    public void TimeFormatsAsHhMmSsAndParsesBack()
    {
        Assert.Equal("21:30:00", WorkbooksValues.FormatTime(new TimeOnly(21, 30)));
        Assert.Equal("09:05:07", WorkbooksValues.FormatTime(new TimeOnly(9, 5, 7, 500)));
        Assert.True(WorkbooksValues.TryParseTime("21:30:00", out var t));
        Assert.Equal(new TimeOnly(21, 30), t);
        Assert.True(WorkbooksValues.TryParseTime("9:05", out t));
        Assert.Equal(new TimeOnly(9, 5), t);
        Assert.False(WorkbooksValues.TryParseTime("25:00:00", out _));
        Assert.False(WorkbooksValues.TryParseTime(null, out _));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("t", true)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("Y", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    public void TryParseBooleanAcceptsTheServicesSpellings(string text, bool expected)
    {
        Assert.True(WorkbooksValues.TryParseBoolean(text, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void BooleansAreSentAs1And0AndUnknownTextIsNotABoolean()
    {
        Assert.Equal("1", WorkbooksValues.FormatBoolean(true));
        Assert.Equal("0", WorkbooksValues.FormatBoolean(false));
        Assert.False(WorkbooksValues.TryParseBoolean("maybe", out _));
    }

    [Fact]
    public void NumbersAreInvariantAndExact()
    {
        Assert.Equal("-42", WorkbooksValues.FormatInt64(-42));
        Assert.Equal("1234.50", WorkbooksValues.FormatDecimal(1234.50m));
        Assert.Equal("0.1", WorkbooksValues.FormatDouble(0.1));
        Assert.True(WorkbooksValues.TryParseInt64("12.0", out var l));
        Assert.Equal(12, l);
        Assert.False(WorkbooksValues.TryParseInt64("12.5", out _));
        Assert.True(WorkbooksValues.TryParseDecimal("1234.56789", out var m));
        Assert.Equal(1234.56789m, m);
        Assert.False(WorkbooksValues.TryParseDecimal("1,5x", out _));
        Assert.True(WorkbooksValues.TryParseDouble("1.5E3", out var d));
        Assert.Equal(1500d, d);
        Assert.False(WorkbooksValues.TryParseDouble("NaN", out _));
    }

    [Fact]
    public void FormatDoubleRejectsValuesTheServiceCannotStore()
    {
        Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatDouble(double.NaN));
        Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatDouble(double.PositiveInfinity));
    }

    // ---------------------------------------------------------------- currency

    [Theory]
    [InlineData("1000 GBP", "1000", "GBP", CurrencyModifyFlags.None)]
    [InlineData("75.00 GBP 0", "75.00", "GBP", CurrencyModifyFlags.None)]
    [InlineData("100 usd 3", "100", "USD", CurrencyModifyFlags.Locked)]
    [InlineData("0.12345 EUR 2", "0.12345", "EUR", CurrencyModifyFlags.AmountLocked)]
    [InlineData("10000000", "10000000", null, CurrencyModifyFlags.None)]
    [InlineData("!!!", "0", "!!!", CurrencyModifyFlags.None)]
    [InlineData("5000.00 !!! 1", "5000.00", "!!!", CurrencyModifyFlags.CodeLocked)]
    public void TryParseCurrencyReadsAmountCodeAndFlags(string text, string amount, string? code, CurrencyModifyFlags flags)
    {
        Assert.True(WorkbooksValues.TryParseCurrency(text, out var value));
        Assert.Equal(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), value.Amount);
        Assert.Equal(code, value.Code);
        Assert.Equal(flags, value.Flags);
        Assert.Equal(code == "!!!", value.IsMixed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GBP")]
    [InlineData("10 POUNDS")]
    [InlineData("10 GBP 7")]
    [InlineData("10 GBP 0 extra")]
    [InlineData("ten GBP")]
    public void TryParseCurrencyReturnsFalseOnBadInput(string text) =>
        Assert.False(WorkbooksValues.TryParseCurrency(text, out _));

    [Fact]
    public void FormatCurrencyWritesAmountCodeAndFlags()
    {
        Assert.Equal("75.00 GBP 0", WorkbooksValues.FormatCurrency(new WorkbooksCurrency(75.00m, "GBP")));
        Assert.Equal("1.5 USD 3", WorkbooksValues.FormatCurrency(new WorkbooksCurrency(1.5m, "usd", CurrencyModifyFlags.Locked)));
        Assert.Equal("10000000", WorkbooksValues.FormatCurrency(new WorkbooksCurrency(10000000m)));
        Assert.Equal("0.00001 EUR 0", WorkbooksValues.FormatCurrency(new WorkbooksCurrency(0.00001m, "EUR")));
    }

    [Fact]
    public void FormatCurrencyRejectsUnrepresentableValues()
    {
        Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatCurrency(new WorkbooksCurrency(0.000001m, "GBP")));
        Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatCurrency(new WorkbooksCurrency(1m, "POUND")));
        Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatCurrency(new WorkbooksCurrency(1m, null, CurrencyModifyFlags.Locked)));
        Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatCurrency(new WorkbooksCurrency(1m, "GBP", (CurrencyModifyFlags)4)));
    }

    // ---------------------------------------------------------------- arrays and tags

    [Fact]
    public void ArraysFormatWithBracketsAndParseWithSpacesRemoved()
    {
        Assert.Equal("[Partner,Competitor]", WorkbooksValues.FormatArray(["Partner", "Competitor"]));
        Assert.Equal("[123,456]", WorkbooksValues.FormatArray(new long[] { 123, 456 }));
        Assert.Equal("[]", WorkbooksValues.FormatArray(Array.Empty<string>()));
        Assert.True(WorkbooksValues.TryParseArray("[10, 20]", out var values));
        Assert.Equal(["10", "20"], values);
        Assert.True(WorkbooksValues.TryParseArray("[]", out values));
        Assert.Empty(values);
        Assert.False(WorkbooksValues.TryParseArray("10, 20", out _));
    }

    [Fact]
    public void FormatArrayRejectsValuesContainingACommaWithAClearMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatArray(["a", "b,c"]));
        Assert.Contains("comma", ex.Message);
        Assert.Contains("b,c", ex.Message);
    }

    [Fact]
    public void TagsJoinWithCommaSpaceAndSplitTrimmed()
    {
        Assert.Equal("a, b c, d", WorkbooksValues.FormatTags(["a", "b c", " d "]));
        Assert.Equal(["a", "b c", "d"], WorkbooksValues.ParseTags("a, b c,d ,"));
        Assert.Empty(WorkbooksValues.ParseTags(null));
        Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatTags(["x,y"]));
        Assert.Throws<ArgumentException>(() => WorkbooksValues.FormatTags([" "]));
    }
}
