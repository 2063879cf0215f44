using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace MeshDns.Hosting;

/// <summary>Kestrel's buffers, in place of its pinned block pool, which keeps every block a burst needed (1000 gRPC connections
/// left hundreds of MB for minutes). This keeps at most 4 MiB free, in unpinned arrays the GC can compact around.</summary>
public sealed class BoundedMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new BoundedMemoryPool();
}

public sealed class BoundedMemoryPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;
    private const int KeepBlocks = 1024;
    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing) => _free.Clear();

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) <= KeepBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount); // over the cap: left to the GC
        }
    }

    private sealed class Block(BoundedMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize);
        public Memory<byte> Memory => _array;
        public void Dispose() => pool.Return(this);
    }
}
