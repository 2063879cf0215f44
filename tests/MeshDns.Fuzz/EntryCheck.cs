using MeshDns.Models;
using MeshDns.Table;
using static MeshDns.Fuzz.PropertyException;

namespace MeshDns.Fuzz;

/// <summary>What <c>ServiceEntryCheck</c> guarantees of every entry a source returns, checked on the table's input.</summary>
internal static class EntryCheck
{
    public static void Valid(ServiceEntryInput entry)
    {
        Require(entry.Name.Length > 0 && entry.Namespace.Length > 0, $"entry {entry.Id}: no name or namespace");
        Require(entry.Hosts.Count > 0 && entry.Hosts.All(h => !string.IsNullOrWhiteSpace(h)), $"entry {entry.Id}: no hosts, or an empty one");
        Require(entry.Addresses.All(a => a is not null), $"entry {entry.Id}: a null address");
        Require(entry.Resolution is null || ServiceEntrySpecResolutionValues.All.Contains(entry.Resolution), $"entry {entry.Id}: resolution {entry.Resolution}");
        Require(entry.StatusAddresses.All(a => !string.IsNullOrEmpty(a.Value)), $"entry {entry.Id}: a status address without a value");
    }
}
