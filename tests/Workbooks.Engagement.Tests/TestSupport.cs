using Microsoft.Extensions.Time.Testing;
using Workbooks.Emulator;
using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

internal sealed class Harness : IAsyncDisposable
{
    public const string QuickStartPostUrl = "https://www.social.com/posts/username_activity-1234567890";

    private readonly List<IDisposable> _disposables = [];

    private Harness(WorkbooksEmulator emulator, FakeTimeProvider time)
    {
        Emulator = emulator;
        Time = time;
    }

    public WorkbooksEmulator Emulator { get; }

    public FakeTimeProvider Time { get; }

    public EngagementEmulator Engagement => Emulator.Engagement;

    public static async Task<Harness> StartAsync(Action<EngagementEmulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 10, 0, 0, TimeSpan.Zero));
        var engagement = new EngagementEmulatorOptions();
        configure?.Invoke(engagement);
        var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { Engagement = engagement, TimeProvider = time });
        return new Harness(emulator, time);
    }

    public EngagementClient CreateClient(Action<EngagementClientOptions>? configure = null)
    {
        var options = new EngagementClientOptions
        {
            BaseAddress = Emulator.BaseAddress,
            ApiKey = Engagement.ApiKey,
            AllowInsecureLoopback = true,
            TimeProvider = Time,
        };
        configure?.Invoke(options);
        var http = new HttpClient();
        var client = new EngagementClient(http, options);
        _disposables.Add(client);
        _disposables.Add(http);
        return client;
    }

    /// <summary>Moves the fake clock forward in steps until the operation completes (each step after a brief real pause).</summary>
    public async Task<T> AdvanceUntilDoneAsync<T>(Task<T> operation, TimeSpan step)
    {
        for (var i = 0; i < 20_000 && !operation.IsCompleted; i++)
        {
            await Task.WhenAny(operation, Task.Delay(1));
            if (!operation.IsCompleted)
                Time.Advance(step);
        }
        return await operation;
    }

    public async Task AdvanceUntilDoneAsync(Task operation, TimeSpan step)
        => await AdvanceUntilDoneAsync(operation.ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default), step);

    /// <summary>Waits (real time, briefly) until the emulator has recorded a request matching the predicate.</summary>
    public async Task WaitForRequestAsync(Func<EngagementEmulatorRequest, bool> predicate)
    {
        for (var i = 0; i < 2_000; i++)
        {
            if (Engagement.Requests.Any(predicate))
                return;
            await Task.Delay(2);
        }
        throw new TimeoutException("The emulator did not see the expected request.");
    }

    public int Count(string method, string pathPrefix, int? status = null)
        => Engagement.Requests.Count(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal) && (status is null || r.StatusCode == status));

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables)
            d.Dispose();
        await Emulator.DisposeAsync();
    }
}

/// <summary>
/// One default emulator (and fake clock) shared by a test class, for tests that need no options of their own, never
/// move the clock and leave nothing behind that another test could see: they are refused before sending, refused by
/// the service, or only read.
/// </summary>
public sealed class SharedHarness : IAsyncLifetime
{
    internal Harness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await Harness.StartAsync();

    public async Task DisposeAsync()
    {
        if (Harness is not null)
            await Harness.DisposeAsync();
    }
}

internal sealed class CollectingProgress : IProgress<EngagementTaskStatus>
{
    private readonly List<EngagementTaskStatus> _items = [];

    public IReadOnlyList<EngagementTaskStatus> Items
    {
        get
        {
            lock (_items)
                return [.. _items];
        }
    }

    public void Report(EngagementTaskStatus value)
    {
        lock (_items)
            _items.Add(value);
    }
}
