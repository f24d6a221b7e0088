namespace Workbooks.Records;

/// <summary>Which parts of a currency value the user may modify (the third part of the wire form).</summary>
[Flags]
public enum CurrencyModifyFlags
{
    /// <summary>Both the amount and the currency code can be modified (<c>0</c>).</summary>
    None = 0,

    /// <summary>The currency code cannot be modified (<c>1</c>).</summary>
    CodeLocked = 1,

    /// <summary>The amount cannot be modified (<c>2</c>).</summary>
    AmountLocked = 2,

    /// <summary>Neither the code nor the amount can be modified (<c>3</c>).</summary>
    Locked = CodeLocked | AmountLocked,
}

/// <summary>
/// A Workbooks currency value: an amount (up to 5 decimal places), an ISO 4217 code (or <c>!!!</c> for a total that
/// mixes currencies) and modify flags. On the wire it is the string <c>"amount code flags"</c>, e.g. <c>75.00 GBP 0</c>.
/// </summary>
public readonly record struct WorkbooksCurrency
{
    /// <summary>The code of a calculated value that combined several currencies (and is therefore not valid).</summary>
    public const string MixedCode = "!!!";

    /// <summary>Creates a currency value.</summary>
    /// <param name="amount">The amount; at most 5 decimal places are representable on the wire.</param>
    /// <param name="code">A three-letter ISO 4217 code, <see cref="MixedCode"/>, or null to let the service use its default.</param>
    /// <param name="flags">Which parts may be modified.</param>
    public WorkbooksCurrency(decimal amount, string? code = null, CurrencyModifyFlags flags = CurrencyModifyFlags.None)
    {
        Amount = amount;
        Code = code;
        Flags = flags;
    }

    /// <summary>The amount.</summary>
    public decimal Amount { get; init; }

    /// <summary>The ISO 4217 code, <see cref="MixedCode"/>, or null when the service sent (or the caller gives) none.</summary>
    public string? Code { get; init; }

    /// <summary>Which parts may be modified.</summary>
    public CurrencyModifyFlags Flags { get; init; }

    /// <summary>Whether this is a calculated total over several currencies (code <c>!!!</c>), which has no meaningful amount.</summary>
    public bool IsMixed => Code == MixedCode;

    /// <summary>
    /// The value as text, e.g. <c>75.00 GBP 0</c>. Never throws; use <see cref="WorkbooksValues.FormatCurrency"/> for the
    /// validated wire form.
    /// </summary>
    public override string ToString() => WorkbooksValues.FormatCurrencyUnchecked(this);
}
