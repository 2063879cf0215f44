using Google.Protobuf;
using Grpc.Core;
using MeshDns.Frontends.Grpc.Protocol;

namespace MeshDns.Frontends.Grpc;

/// <summary>Bound by hand: the generated base class's marshaller throws on a body that is not a DnsPacket (a stack trace
/// per call, UNKNOWN). This one never throws: such a body arrives as <see cref="NotAPacket"/> (compared by reference).</summary>
[BindServiceMethod(typeof(DnsServiceBinding), nameof(BindService))]
public abstract class DnsServiceBinding
{
    public static readonly DnsPacket NotAPacket = new();
    private static readonly Marshaller<DnsPacket> PacketMarshaller = Marshallers.Create(Serialize, Deserialize);

    private static readonly Method<DnsPacket, DnsPacket> QueryMethod =
        new(MethodType.Unary, "coredns.dns.DnsService", "Query", PacketMarshaller, PacketMarshaller);

    public abstract Task<DnsPacket> Query(DnsPacket request, ServerCallContext context);

    public static void BindService(ServiceBinderBase binder, DnsServiceBinding? service) =>
        binder.AddMethod(QueryMethod, service is null ? null : new UnaryServerMethod<DnsPacket, DnsPacket>(service.Query));

    private static void Serialize(DnsPacket message, SerializationContext context)
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static DnsPacket Deserialize(DeserializationContext context)
    {
        try
        {
            return DnsPacket.Parser.ParseFrom(context.PayloadAsReadOnlySequence());
        }
        catch (InvalidProtocolBufferException)
        {
            return NotAPacket;
        }
    }
}
