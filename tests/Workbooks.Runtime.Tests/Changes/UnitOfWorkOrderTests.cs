using Workbooks.Changes;
using Workbooks.Records;
using Workbooks.Runtime.Tests.TestSupport;

namespace Workbooks.Runtime.Tests.Changes;

/// <summary>The order a unit of work sends its records in: waves, each referring only to the waves before it.</summary>
public sealed class UnitOfWorkOrderTests
{
    [Fact]
    public async Task AChainOfAHundredThousandRecordsIsOrderedWithoutOverflowingTheStack()
    {
        await using var harness = await EmulatorHarness.StartAsync(1, 1, 1, connect: true);
        var organisations = harness.Session.Records("crm/organisations");
        var work = new WorkbooksUnitOfWork(harness.Session);
        const int Length = 100_000;
        var records = Enumerable.Range(0, Length).Select(_ => new WorkbooksRecord()).ToArray();
        for (var i = Length - 1; i >= 0; i--) // each refers to the one before it, and is added before it
        {
            if (i > 0)
                records[i].SetReference("parent_organisation_id", records[i - 1]);
            work.Create(organisations, records[i]);
        }

        // On a thread with a small stack, as a thread-pool or UI thread may be: a recursive walk would overflow long before.
        List<int[]>? waves = null;
        var thread = new Thread(() => waves = work.Order(), maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.NotNull(waves);
        Assert.Equal(Length, waves.Count);
        Assert.All(waves, w => Assert.Single(w));
        Assert.Equal(Enumerable.Range(0, Length).Reverse(), waves.Select(w => w[0])); // the last added (level 0) first
    }

    [Fact]
    public async Task ADiamondGoesInTheWaveAfterItsDeepestReference()
    {
        await using var harness = await EmulatorHarness.StartAsync(1, 1, 1, connect: true);
        var organisations = harness.Session.Records("crm/organisations");
        var work = new WorkbooksUnitOfWork(harness.Session);
        WorkbooksRecord top = new(), left = new(), right = new(), bottom = new();
        left.SetReference("parent_organisation_id", top);
        right.SetReference("parent_organisation_id", left);
        bottom.SetReference("parent_organisation_id", right);
        bottom.SetReference("created_through_id", top);
        work.Create(organisations, bottom); // #0
        work.Create(organisations, right);  // #1
        work.Create(organisations, left);   // #2
        work.Create(organisations, top);    // #3

        Assert.Equal([[3], [2], [1], [0]], work.Order());
    }
}
