namespace Chaos.Proxy.Toxics;

/// <summary><c>first_byte_delay</c>: the first chunk in the stream is held; later chunks follow normally.</summary>
internal sealed class FirstByteDelay(TimeSpan delay) : IFirstByteToxic
{
    public Decision OnFirstByte() => Decision.After(delay);
}

/// <summary><c>first_byte_hang</c>: the first chunk is never forwarded and that direction stops reading, so the sender fills its window.</summary>
internal sealed class FirstByteHang : IFirstByteToxic
{
    public Decision OnFirstByte() => Decision.Hang;
}

/// <summary><c>first_byte_reset</c>: on the first chunk, both sides get RST; the chunk is not forwarded.</summary>
internal sealed class FirstByteReset : IFirstByteToxic
{
    public Decision OnFirstByte() => Decision.Reset();
}

/// <summary><c>first_byte_close</c>: on the first chunk, both sides get FIN; the chunk is not forwarded.</summary>
internal sealed class FirstByteClose : IFirstByteToxic
{
    public Decision OnFirstByte() => Decision.Close();
}
