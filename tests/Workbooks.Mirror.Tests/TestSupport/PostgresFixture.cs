namespace Workbooks.Mirror.Tests.TestSupport;

/// <summary>
/// One <see cref="PostgresServer"/> for a test class (<c>IClassFixture&lt;PostgresFixture&gt;</c>) or a collection
/// (<see cref="PostgresCollection"/>); each test takes a database of its own with
/// <see cref="PostgresServer.CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The fixture has not been initialised.");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}

/// <summary>Test classes marked <c>[Collection(PostgresCollection.Name)]</c> share one server (and run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
