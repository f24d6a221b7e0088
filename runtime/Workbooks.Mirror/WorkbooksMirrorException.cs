namespace Workbooks.Mirror;

/// <summary>The mirror cannot go on: the target database failed or refused, or its tables cannot follow the service.
/// What was committed stays committed; the next run resumes from there.</summary>
public sealed class WorkbooksMirrorException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksMirrorException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause (a database provider's exception, typically).</summary>
    public WorkbooksMirrorException(string message, Exception? innerException) : base(message, innerException) { }
}
