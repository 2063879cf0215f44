extern alias server;
using MeshDns.Resolver;
using MeshDns.Table;
using Microsoft.Extensions.Logging.Abstractions;
using server::MeshDns.Hosting;

namespace MeshDns.IntegrationTests;

/// <summary>The publisher's side of several clusters: a remote given up on, a reflector replaced, a cluster removed.</summary>
public sealed class TablePublisherSourcesTests
{
    private readonly TableHolder _holder = new();
    private readonly TablePublisher _publisher;

    public TablePublisherSourcesTests() =>
        _publisher = new TablePublisher(_holder, new TableOptions(), new ResolverOptions(), NullLogger<TablePublisher>.Instance);

    private static KeyValuePair<string, ServiceEntryInput?>[] Set(string name, string host, string address) =>
        [new($"mesh/{name}", new ServiceEntryInput("mesh", name, null, [host], [address], "STATIC", []))];

    private (string Host, string[] Addresses, string[] Sources)[] Table() =>
        [.. _holder.Current!.Hosts.Select(h => (h.Host, h.Addresses.Select(a => a.ToString()).ToArray(), h.Sources.ToArray()))];

    [Fact]
    public void The_first_table_waits_for_every_source_until_one_is_given_up_on_and_takes_it_in_when_it_syncs()
    {
        _publisher.Expect("local", "east");
        _publisher.Expect("remote", "west");
        _publisher.Apply("local", Set("a", "a.global", "10.0.0.1"), 1);
        Assert.Null(_holder.Current);

        Assert.True(_publisher.StopWaitingFor("remote"));
        Assert.Equal([("a.global", ["10.0.0.1"], ["east/mesh/a"])], Table());
        _publisher.Apply("remote", Set("a", "a.global", "10.0.0.2"), 1);
        Assert.Equal([("a.global", ["10.0.0.1", "10.0.0.2"], ["east/mesh/a", "west/mesh/a"])], Table());
        Assert.False(_publisher.StopWaitingFor("remote")); // synced: nothing to give up
    }

    [Fact]
    public void A_replacement_retires_the_source_before_it_in_the_same_table_and_a_removal_drops_its_entries()
    {
        _publisher.Expect("local");
        _publisher.Expect("west#1", "west");
        _publisher.Apply("local", Set("a", "a.global", "10.0.0.1"), 1);
        _publisher.Apply("west#1", [.. Set("old", "old.global", "10.0.0.2"), .. Set("b", "b.global", "10.0.0.3")], 2);
        uint before = _holder.Current!.Serial;

        _publisher.Expect("west#2", "west");
        Assert.Equal(before, _holder.Current!.Serial); // a new, unsynced reflector changes nothing
        _publisher.Apply("west#2", Set("b", "b.global", "10.0.0.4"), 1, retire: "west#1");
        Assert.Equal([("a.global", ["10.0.0.1"], ["mesh/a"]), ("b.global", ["10.0.0.4"], ["west/mesh/b"])], Table());

        _publisher.Apply("west#1", Set("late", "late.global", "10.0.0.5"), 1); // a stopped reflector's last update
        _publisher.Remove("west#2");
        Assert.Equal([("a.global", ["10.0.0.1"], ["mesh/a"])], Table());
    }
}
