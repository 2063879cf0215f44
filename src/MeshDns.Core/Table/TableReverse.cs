using System.Buffers.Binary;
using System.Net;
using MeshDns.Wire;

namespace MeshDns.Table;

/// <summary>An address's octets (IPv4 in the high four) as a value: the model's key of reverse names, which the scope of
/// an IPv6 address does not change. Two longs, not a UInt128, whose 16-byte alignment would pad it to 32 bytes.</summary>
internal readonly record struct AddressKey(ulong High, ulong Low, bool V6)
{
    public static AddressKey Of(IPAddress address)
    {
        Span<byte> octets = stackalloc byte[16];
        octets.Clear();
        address.TryWriteBytes(octets, out int length);
        return new AddressKey(BinaryPrimitives.ReadUInt64BigEndian(octets), BinaryPrimitives.ReadUInt64BigEndian(octets[8..]), length == 16);
    }

    public int Length => V6 ? 16 : 4;

    public void CopyTo(Span<byte> octets)
    {
        Span<byte> all = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(all, High);
        BinaryPrimitives.WriteUInt64BigEndian(all[8..], Low);
        all[..Length].CopyTo(octets);
    }

    public IPAddress ToAddress()
    {
        Span<byte> octets = stackalloc byte[16];
        CopyTo(octets);
        return new IPAddress(octets[..Length]);
    }
}

/// <summary>The model's state of one served address's reverse name (<see cref="ReverseNames"/>): the exact hosts serving
/// it. The name itself is not kept (about 1 KB per address as a <see cref="TableName"/> in model and table): the table
/// answers it from the address, found under the hash of the name the resolver is asked.</summary>
internal sealed class TableReverse
{
    /// <param name="name">The address's reverse name (<see cref="ReverseNames.Of"/>), which the caller has made already.</param>
    public TableReverse(AddressKey address, string name)
    {
        Address = address;
        Span<byte> wire = stackalloc byte[DnsName.MaxLength];
        Hash = NameTable.Hash(wire[..DnsName.TryEncode(name, wire)]);
    }

    public AddressKey Address { get; }

    /// <summary>The hash of the reverse name's wire form: picks the shard and slot, as for any name.</summary>
    public int Hash { get; }

    // Most addresses have one host, kept without a set (about 80 bytes less per address); several are kept in name order.
    private TableName? _ptrOne;
    private SortedSet<TableName>? _ptrMany;

    /// <summary>PTR records served as of the last <see cref="ShowPtrs"/>: at most <see cref="ReverseNames.MaxTargets"/>.</summary>
    public int PtrShown { get; private set; }

    /// <summary>The PTR targets served, in name order.</summary>
    public IEnumerable<TableName> Ptr => PtrShown == 0 ? [] : _ptrOne is not null ? [_ptrOne] : _ptrMany!.Take(PtrShown);

    public bool IsUnused => PtrTotal == 0 && PtrShown == 0;

    private int PtrTotal => _ptrOne is not null ? 1 : _ptrMany?.Count ?? 0;

    public void AddPtr(TableName host)
    {
        if (_ptrMany is not null)
        {
            _ptrMany.Add(host);
        }
        else if (_ptrOne is null)
        {
            _ptrOne = host;
        }
        else
        {
            _ptrMany = new SortedSet<TableName>(ByName) { _ptrOne, host };
            _ptrOne = null;
        }
    }

    public void RemovePtr(TableName host)
    {
        if (_ptrOne == host)
        {
            _ptrOne = null;
        }
        else
        {
            _ptrMany?.Remove(host);
        }
    }

    /// <summary>Serves the hosts added and removed since the last call.</summary>
    public void ShowPtrs() => PtrShown = Math.Min(PtrTotal, ReverseNames.MaxTargets);

    /// <summary>Orders PTR targets by name.</summary>
    private static IComparer<TableName> ByName { get; } = Comparer<TableName>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name));

    /// <summary>Finds a reverse name by its address in its shard's set (a probe stands for the address): no dictionary
    /// keeps the address a second time.</summary>
    public static IEqualityComparer<TableReverse> ByAddress { get; } = new AddressComparer();

    private sealed class AddressComparer : IEqualityComparer<TableReverse>
    {
        public bool Equals(TableReverse? a, TableReverse? b) => a?.Address == b?.Address;

        public int GetHashCode(TableReverse reverse) => reverse.Hash;
    }
}
