namespace Workbooks.Query;

/// <summary>
/// How big each page of one stream is. A query that fixed its size (<c>PageSize(n)</c>) keeps it. Otherwise the first
/// page asks for <see cref="FirstPage"/> records (the guide's default, which "can be expected to work") and each later
/// page for as many as make about <see cref="TargetBytes"/> of response at the size records have had so far, at most
/// four times the page before and at most <see cref="WorkbooksOptions.MaxPageSize"/>: narrow records (people) soon
/// come a few hundred to a page, so a stream needs a fraction of the round trips, while wide ones (e-mails with their
/// bodies) shrink toward <see cref="SmallestPage"/>.
/// </summary>
internal struct PageSizing
{
    /// <summary>The first page of a stream whose size is not fixed: the guide's default.</summary>
    public const int FirstPage = 100;

    /// <summary>The smallest page a stream shrinks to: the guide notes most of the benefit of larger pages comes by 10.</summary>
    public const int SmallestPage = 10;

    /// <summary>About how large a response a stream aims for once it knows how large its records are.</summary>
    public const long TargetBytes = 1 << 20;

    private readonly int _largest;
    private readonly bool _fixed;
    private int _cap;

    private PageSizing(int next, int largest, bool isFixed)
    {
        Next = next;
        _largest = largest;
        _fixed = isFixed;
        _cap = int.MaxValue;
    }

    /// <summary>The size of the next page to ask for.</summary>
    public int Next { get; private set; }

    /// <summary>Every page <paramref name="size"/> records.</summary>
    public static PageSizing Fixed(int size) => new(size, size, isFixed: true);

    /// <summary>Pages that grow from <see cref="FirstPage"/> toward <see cref="TargetBytes"/>, up to <paramref name="largest"/>.</summary>
    public static PageSizing Adaptive(int largest) => new(Math.Min(FirstPage, largest), largest, isFixed: false);

    /// <summary>A page of <paramref name="records"/> records came in <paramref name="bytes"/> bytes of body.</summary>
    public void Observe(int records, long bytes)
    {
        if (_fixed || records == 0 || bytes <= 0)
            return;
        var perRecord = Math.Max(1, bytes / records);
        var wanted = (int)Math.Clamp(TargetBytes / perRecord, SmallestPage, int.MaxValue);
        Next = Math.Min(Math.Min(wanted, Math.Max(Next, SmallestPage) * 4), Math.Min(_largest, _cap));
    }

    /// <summary>The service gives at most <paramref name="records"/> records a page, whatever is asked for.</summary>
    public void CapAt(int records)
    {
        _cap = Math.Max(1, records);
        Next = Math.Min(Next, _cap);
    }
}

/// <summary>
/// The largest page each controller has been seen to fill, for one session. A page shorter than asked for ends a
/// stream only when the service is known to honour a page that large, or when it is shorter than the guide's default
/// (which any service gives); otherwise it may be the service's own limit on result sets, and the next page is asked
/// for before the stream ends. Nothing is ever concluded from a short page the service may have cut to its limit.
/// </summary>
internal sealed class HonouredPageSizes
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _largest = new(StringComparer.Ordinal);

    /// <summary>A page of <paramref name="size"/> records came back full from <paramref name="controllerPath"/>.</summary>
    public void Filled(string controllerPath, int size) =>
        _largest.AddOrUpdate(controllerPath, size, (_, known) => Math.Max(known, size));

    /// <summary>Whether a page of <paramref name="records"/> of the <paramref name="asked"/> asked for is the stream's end.</summary>
    public bool EndsStream(string controllerPath, int asked, int records) =>
        records < asked && (records < PageSizing.FirstPage || (_largest.TryGetValue(controllerPath, out var known) && known >= asked));
}
