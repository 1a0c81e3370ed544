namespace ActorChat.Bench;

/// <summary>Latency figures in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50, double P90, double P99, double P999, double Max);

/// <summary>What the hostile scenario's guests saw; seconds count from the start of the send phase.</summary>
public sealed class HostileReport
{
    public double Seconds { get; set; }
    public int FlooderTextLength { get; set; }
    /// <summary>Own says the flooder may have in flight; 0 = flat out.</summary>
    public int FlooderWindow { get; set; }
    public int NeverReaderReceiveBuffer { get; set; }
    public double CanaryRate { get; set; }

    /// <summary>Honest readers that were disconnected or got an error frame (must be 0).</summary>
    public int HonestReadersCutOff { get; set; }
    /// <summary>Cut-off warnings in the started server's log about clients other than the guests.</summary>
    public int HonestCutOffsLogged { get; set; }

    public bool NeverReaderCutOff { get; set; }
    /// <summary>When the server's log said it cut the never-reader off (only when the bench started the server).</summary>
    public double? NeverReaderCutOffSeconds { get; set; }
    public string? NeverReaderCutOffReason { get; set; }
    /// <summary>When the never-reader's socket left the established state (the server closed or reset it).</summary>
    public double? NeverReaderClosedSeconds { get; set; }
    public string? NeverReaderTcpStateAtEnd { get; set; }

    /// <summary>Say frames the flooder handed to its socket (the server reads them only as fast as flood control allows).</summary>
    public long FlooderFramesWritten { get; set; }
    /// <summary>Flooder messages the server took: its own echoes received.</summary>
    public long FlooderAccepted { get; set; }
    public double FlooderAcceptedPerSecond { get; set; }
    /// <summary>Accepted per second after the first 5 s, when the burst allowance is spent.</summary>
    public double? FlooderSteadyPerSecond { get; set; }
    public string? FlooderClosed { get; set; }
    public double? FlooderClosedSeconds { get; set; }

    public int CanarySays { get; set; }
    public long CanaryEchoes { get; set; }
    public LatencySummary? CanarySayLatency { get; set; }
    public int CanaryPings { get; set; }
    public long CanaryPongs { get; set; }
    public LatencySummary? CanaryPingLatency { get; set; }
    public string? CanaryClosed { get; set; }

    /// <summary>Error frames and cut-offs the guests (flooder, canary) got, by kind.</summary>
    public Dictionary<string, long> GuestErrors { get; set; } = [];
}

/// <summary>What the first-join scenario measured, in milliseconds from sending a frame to its answer.</summary>
public sealed class FirstJoinReport
{
    public double HelloMs { get; set; }
    /// <summary>The first join after the server said it was ready: a new room, the first write and recovery.</summary>
    public double JoinMs { get; set; }
    /// <summary>Another new room right after: the same work on a warm server.</summary>
    public double SecondJoinMs { get; set; }
}

/// <summary>What one bench run measured. Serialized as the JSON result file.</summary>
public sealed class BenchReport
{
    public string Scenario { get; set; } = "";
    public DateTime StartedUtc { get; set; }
    public string Target { get; set; } = "";
    public bool ServerStartedByBench { get; set; }
    public IReadOnlyList<string> ServerArgs { get; set; } = [];
    /// <summary>The flood rate the scenario asked the started server for; null = the server's default.</summary>
    public double? ServerFloodRate { get; set; }
    public string CommandLine { get; set; } = "";

    /// <summary>True when every phase finished before its deadline.</summary>
    public bool Complete { get; set; }
    /// <summary>Complete, and nothing lost, duplicated, out of order, corrupt or refused.</summary>
    public bool Passed { get; set; }
    public List<string> Problems { get; set; } = [];

    // Workload
    public int Clients { get; set; }
    public int Rooms { get; set; }
    public int Senders { get; set; }
    public int MessagesPerSender { get; set; }
    public double RatePerSender { get; set; }
    public int Window { get; set; }
    public int TextLength { get; set; }
    public int ConnectConcurrency { get; set; }
    public double DeadlineSeconds { get; set; }

    // Connect phase
    public int ClientsReady { get; set; }
    public double ConnectSeconds { get; set; }
    public LatencySummary? ClientSetupMs { get; set; }
    public double? BenchCpuSecondsConnect { get; set; }
    /// <summary>Cores used while connecting by neither the server nor the bench.</summary>
    public double? OtherBusyCoresConnect { get; set; }

    // Send phase
    public long MessagesSent { get; set; }
    public long ExpectedDeliveries { get; set; }
    public long Deliveries { get; set; }
    public long DeliveriesToOthers { get; set; }
    public long Lost { get; set; }
    public long Duplicated { get; set; }
    public long OutOfOrder { get; set; }
    public long SeqGaps { get; set; }
    public long Corrupt { get; set; }
    public long Misrouted { get; set; }
    public long ErrorFrames { get; set; }
    public Dictionary<string, long> ErrorCodes { get; set; } = [];
    public long Disconnects { get; set; }
    public double SendSeconds { get; set; }
    public double DeliverySeconds { get; set; }
    public double DeliveriesPerSecond { get; set; }
    public double DeliveriesToOthersPerSecond { get; set; }
    public double OfferedDeliveriesPerSecond { get; set; }
    public double MessagesPerSecond { get; set; }
    /// <summary>Paced sending: the furthest a send fell behind its schedule (client or socket backpressure).</summary>
    public double MaxSendLagMs { get; set; }
    public LatencySummary? Latency { get; set; }
    /// <summary>With --nodes: the servers of the cluster the run spread its clients over.</summary>
    public int? Nodes { get; set; }
    /// <summary>With --nodes: deliveries to a client on the sender's node, and to a client on another node.</summary>
    public LatencySummary? LatencySameNode { get; set; }
    public LatencySummary? LatencyCrossNode { get; set; }
    /// <summary>Deliveries to the run's readers from senders that are not the run's own (the hostile guests).</summary>
    public long GuestDeliveries { get; set; }

    /// <summary>The first-join scenario's round trips; null for the other scenarios.</summary>
    public FirstJoinReport? FirstJoin { get; set; }

    /// <summary>The search scenario's index and query times; null for the other scenarios.</summary>
    public SearchReport? Search { get; set; }

    /// <summary>The hostile scenario's guests; null for the other scenarios.</summary>
    public HostileReport? Hostile { get; set; }

    // Idle
    public double IdleSeconds { get; set; }

    // Server (from /proc; null when not measured)
    public int? ServerPid { get; set; }
    public double? ServerCpuSeconds { get; set; }
    public double? ServerCpuSecondsConnect { get; set; }
    public double? ServerCpuSecondsSend { get; set; }
    public double? ServerCpuUtilizationSend { get; set; }
    /// <summary>Of <see cref="ServerCpuSecondsSend"/>, the part spent in the kernel (stime: socket calls, TCP).</summary>
    public double? ServerKernelCpuSecondsSend { get; set; }
    /// <summary>Server CPU per delivery while sending, in µs: a cost that other load on the machine changes little.</summary>
    public double? ServerCpuMicrosPerDelivery { get; set; }
    public double? BenchCpuMicrosPerDelivery { get; set; }
    public long? ServerRssBeforeConnectBytes { get; set; }
    public long? ServerRssAfterReadyBytes { get; set; }
    public long? ServerRssEndBytes { get; set; }
    public long? ServerPeakRssBytes { get; set; }
    public long? ServerPeakRssSampledBytes { get; set; }
    public double? ServerRssPerConnectionDeltaBytes { get; set; }
    public double? ServerRssPerConnectionTotalBytes { get; set; }
    public int? ServerThreads { get; set; }

    // The bench itself
    public double BenchCpuSeconds { get; set; }
    public double BenchCpuSecondsSend { get; set; }
    public double BenchCpuUtilizationSend { get; set; }
    public double? BenchKernelCpuSecondsSend { get; set; }
    public bool FullDecode { get; set; }
    public bool ZeroByteReceives { get; set; }
    /// <summary>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS was on: receive work runs on the socket engine thread.</summary>
    public bool InlineCompletions { get; set; }
    /// <summary>With --wait-quiet: cores other processes used in the last second before the run.</summary>
    public double? OtherBusyCoresBefore { get; set; }
    /// <summary>Busy cores of the whole machine during the send phase (2.0 = both cores busy).</summary>
    public double? MachineBusyCoresSend { get; set; }
    /// <summary>Cores used during the send phase by neither the server nor the bench (other work on the machine, kernel threads).</summary>
    public double? OtherBusyCoresSend { get; set; }
    public int ProcessorCount { get; set; }
}
