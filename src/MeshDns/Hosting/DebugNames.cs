using System.Text;
using System.Text.Json;
using MeshDns.Resolver;
using MeshDns.Table;

namespace MeshDns.Hosting;

/// <summary>/debug/names: the current table as JSON (host → addresses, source ServiceEntries, zone), so an
/// operator can see why a name does or does not resolve. Off with --debug-names=false.</summary>
public static class DebugNames
{
    public static string Render(IServiceProvider services)
    {
        NameTable? table = (services.GetService(typeof(TableHolder)) as TableHolder)?.Current;
        IReadOnlyList<string> zones = (services.GetService(typeof(ResolverOptions)) as ResolverOptions)?.Zones ?? [];
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("synced", table is not null);
            json.WriteNumber("serial", table?.Serial ?? 0);
            json.WriteNumber("serviceEntries", table?.ServiceEntryCount ?? 0);
            json.WriteStartArray("zones");
            foreach (string zone in zones)
            {
                json.WriteStringValue(zone);
            }

            json.WriteEndArray();
            json.WriteStartArray("hosts");
            foreach (HostRecord host in table?.Hosts ?? [])
            {
                json.WriteStartObject();
                json.WriteString("host", host.Host);
                json.WriteString("zone", ZoneOf(host.Host, zones));
                json.WriteStartArray("addresses");
                foreach (System.Net.IPAddress address in host.Addresses)
                {
                    json.WriteStringValue(address.ToString());
                }

                json.WriteEndArray();
                json.WriteStartArray("sources");
                foreach (string source in host.Sources)
                {
                    json.WriteStringValue(source);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The longest configured zone holding the host; "" when none (not served with zones set), "*" without zones.</summary>
    private static string ZoneOf(string host, IReadOnlyList<string> zones)
    {
        if (zones.Count == 0)
        {
            return "*";
        }

        string name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return zones
            .Select(z => z.Trim().TrimEnd('.').ToLowerInvariant())
            .Where(z => name == z || name.EndsWith("." + z, StringComparison.Ordinal))
            .OrderByDescending(z => z.Length)
            .FirstOrDefault() ?? "";
    }
}
