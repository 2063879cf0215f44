using Google.Protobuf;
using Grpc.Core;
using MeshDns.Frontends.Grpc.Protocol;

namespace MeshDns.Frontends.Grpc;

/// <summary>
/// /coredns.dns.DnsService/Query bound by hand instead of by grpc_csharp_plugin's base class, whose
/// marshaller throws on a body that is not a DnsPacket (the framework then logs an error with a stack
/// trace per call and answers UNKNOWN). This marshaller never throws: such a body arrives as <see cref="NotAPacket"/>.
/// Grpc.AspNetCore finds <see cref="BindService"/> through the attribute, as it would the generated one.
/// </summary>
[BindServiceMethod(typeof(DnsServiceBinding), nameof(BindService))]
public abstract class DnsServiceBinding
{
    /// <summary>Stands for "the body was not a DnsPacket" (compared by reference).</summary>
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
