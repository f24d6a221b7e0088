namespace Workbooks.Engagement;

/// <summary>The kinds of interaction a workbook extracts (the API's <c>data_types</c>). Post data is always included.</summary>
[Flags]
public enum EngagementDataTypes
{
    /// <summary>Nothing: not a valid request on its own.</summary>
    None = 0,

    /// <summary>Comments on the post (<c>comment</c>).</summary>
    Comment = 1,

    /// <summary>Reactions to the post (<c>reaction</c>).</summary>
    Reaction = 2,

    /// <summary>Comments and reactions.</summary>
    All = Comment | Reaction,
}

internal static class EngagementDataTypesExtensions
{
    public static string[] ToWire(this EngagementDataTypes dataTypes)
    {
        var list = new List<string>(2);
        if ((dataTypes & EngagementDataTypes.Comment) != 0)
            list.Add("comment");
        if ((dataTypes & EngagementDataTypes.Reaction) != 0)
            list.Add("reaction");
        return [.. list];
    }
}
