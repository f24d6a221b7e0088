using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Sessions;

namespace Workbooks.Emulator;

/// <summary>What a request is allowed to do, once authenticated.</summary>
internal sealed record CallContext(EmulatorUser User, EmulatorDatabase Database, Session? Session, OutputFormats Formats, RequestParameters Parameters, string Method);
