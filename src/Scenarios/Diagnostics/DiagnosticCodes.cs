using System.Collections.Frozen;

namespace Chaos.Scenarios;

/// <summary>
/// The stable codes of every scenario diagnostic. Codes never change meaning; new ones are added at the end
/// of their group. Groups: 0xx file and YAML, 1xx structure, 2xx proxies, 3xx toxics, 4xx selectors,
/// 5xx timeline, 6xx expectations. <see cref="All"/> lists them with a description for lookup.
/// </summary>
public static class DiagnosticCodes
{
    /// <summary>The file does not exist or cannot be read.</summary>
    public const string FileUnreadable = "CHAOS001";

    /// <summary>The input is larger than the size cap.</summary>
    public const string FileTooLarge = "CHAOS002";

    /// <summary>The input is not UTF-8 text (binary data, NUL bytes, control characters).</summary>
    public const string NotText = "CHAOS003";

    /// <summary>The input holds no document.</summary>
    public const string Empty = "CHAOS004";

    /// <summary>The input is not well-formed YAML or JSON.</summary>
    public const string YamlSyntax = "CHAOS005";

    /// <summary>A tab is used for indentation.</summary>
    public const string TabIndentation = "CHAOS006";

    /// <summary>A mapping holds the same key twice.</summary>
    public const string DuplicateKey = "CHAOS007";

    /// <summary>Collections are nested deeper than the cap.</summary>
    public const string TooDeep = "CHAOS008";

    /// <summary>An alias is unknown, refers to itself, or expands to too many nodes (an alias bomb).</summary>
    public const string AliasRejected = "CHAOS009";

    /// <summary>The input holds more than one YAML document.</summary>
    public const string MultipleDocuments = "CHAOS010";

    /// <summary>Too many problems; the rest are not reported.</summary>
    public const string TooManyErrors = "CHAOS011";

    /// <summary>A mapping holds a key the format does not know.</summary>
    public const string UnknownKey = "CHAOS101";

    /// <summary>A required key is missing.</summary>
    public const string MissingKey = "CHAOS102";

    /// <summary>A value has the wrong type (e.g. a list where a number is expected).</summary>
    public const string WrongType = "CHAOS103";

    /// <summary>The <c>version</c> is not one this build understands.</summary>
    public const string UnsupportedVersion = "CHAOS104";

    /// <summary>A name is empty or holds characters that are not allowed.</summary>
    public const string BadName = "CHAOS105";

    /// <summary>A duration is negative, malformed or too large.</summary>
    public const string BadDuration = "CHAOS106";

    /// <summary>A listen address is not <c>host:port</c>.</summary>
    public const string BadAddress = "CHAOS201";

    /// <summary>A port is not in 0..65535 (0 only where allowed).</summary>
    public const string BadPort = "CHAOS202";

    /// <summary>Two proxies listen on the same address and port.</summary>
    public const string ListenClash = "CHAOS203";

    /// <summary>An upstream is neither <c>host:port</c> nor <c>builtin:echo|http</c>.</summary>
    public const string BadUpstream = "CHAOS204";

    /// <summary>Two proxies have the same name.</summary>
    public const string DuplicateProxy = "CHAOS205";

    /// <summary>A timeline step or expectation names a proxy that does not exist.</summary>
    public const string UnknownProxy = "CHAOS206";

    /// <summary>A proxy limit (<c>max_connections</c>, <c>over_limit</c>, <c>idle_timeout</c>) is out of range or not an allowed choice.</summary>
    public const string BadLimit = "CHAOS207";

    /// <summary>A toxic type is not in the catalogue.</summary>
    public const string UnknownToxicType = "CHAOS301";

    /// <summary>A toxic attribute is not one its type has.</summary>
    public const string UnknownAttribute = "CHAOS302";

    /// <summary>A toxic attribute is outside its allowed range.</summary>
    public const string AttributeOutOfRange = "CHAOS303";

    /// <summary>A toxic attribute value has the wrong form (not a number, duration or allowed choice).</summary>
    public const string BadAttributeValue = "CHAOS304";

    /// <summary>A toxicity is not a number in 0..1.</summary>
    public const string ToxicityOutOfRange = "CHAOS305";

    /// <summary>A stream is neither <c>upstream</c> nor <c>downstream</c>.</summary>
    public const string BadStream = "CHAOS306";

    /// <summary>Two toxics of one proxy have the same name (names are unique across both streams).</summary>
    public const string DuplicateToxic = "CHAOS307";

    /// <summary>A required toxic attribute is missing.</summary>
    public const string MissingAttribute = "CHAOS308";

    /// <summary>A timeline step names a toxic that does not exist at that moment.</summary>
    public const string UnknownToxic = "CHAOS309";

    /// <summary>A <c>where.connections</c> selector does not follow the grammar.</summary>
    public const string BadConnectionSelector = "CHAOS401";

    /// <summary>A <c>where.clients</c> entry is not an IP address or CIDR block.</summary>
    public const string BadCidr = "CHAOS402";

    /// <summary>Timeline offsets are not in order.</summary>
    public const string TimelineOrder = "CHAOS501";

    /// <summary>A timeline step has no action or more than one.</summary>
    public const string TimelineAction = "CHAOS502";

    /// <summary>A timeline step is at or after the scenario's <c>duration</c>.</summary>
    public const string TimelineAfterEnd = "CHAOS503";

    /// <summary>An expectation names a metric that does not exist.</summary>
    public const string UnknownMetric = "CHAOS601";

    /// <summary>An expectation is not <c>metric op value</c>.</summary>
    public const string MalformedExpectation = "CHAOS602";

    /// <summary>An expectation compares a metric with a value of the wrong kind (a duration for a count).</summary>
    public const string ExpectationUnitMismatch = "CHAOS603";

    /// <summary>Every code with its one-line description, in code order.</summary>
    public static FrozenDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [FileUnreadable] = "the file does not exist or cannot be read",
        [FileTooLarge] = "the input is larger than the size cap",
        [NotText] = "the input is not UTF-8 text",
        [Empty] = "the input holds no document",
        [YamlSyntax] = "the input is not well-formed YAML or JSON",
        [TabIndentation] = "a tab is used for indentation",
        [DuplicateKey] = "a mapping holds the same key twice",
        [TooDeep] = "collections are nested too deeply",
        [AliasRejected] = "an alias is unknown, refers to itself, or expands to too many nodes",
        [MultipleDocuments] = "the input holds more than one YAML document",
        [TooManyErrors] = "too many problems; the rest are not reported",
        [UnknownKey] = "a key the format does not know",
        [MissingKey] = "a required key is missing",
        [WrongType] = "a value has the wrong type",
        [UnsupportedVersion] = "the version is not supported",
        [BadName] = "a name is empty or holds characters that are not allowed",
        [BadDuration] = "a duration is negative, malformed or too large",
        [BadAddress] = "a listen address is not host:port",
        [BadPort] = "a port is out of range",
        [ListenClash] = "two proxies listen on the same address and port",
        [BadUpstream] = "an upstream is neither host:port nor builtin:echo|http",
        [DuplicateProxy] = "two proxies have the same name",
        [UnknownProxy] = "a reference to a proxy that does not exist",
        [BadLimit] = "a proxy limit is out of range or not an allowed choice",
        [UnknownToxicType] = "a toxic type that is not in the catalogue",
        [UnknownAttribute] = "an attribute the toxic type does not have",
        [AttributeOutOfRange] = "a toxic attribute is out of range",
        [BadAttributeValue] = "a toxic attribute value has the wrong form",
        [ToxicityOutOfRange] = "a toxicity is not in 0..1",
        [BadStream] = "a stream is neither upstream nor downstream",
        [DuplicateToxic] = "two toxics of one proxy have the same name",
        [MissingAttribute] = "a required toxic attribute is missing",
        [UnknownToxic] = "a reference to a toxic that does not exist at that moment",
        [BadConnectionSelector] = "a where.connections selector does not follow the grammar",
        [BadCidr] = "a where.clients entry is not an IP address or CIDR block",
        [TimelineOrder] = "timeline offsets are not in order",
        [TimelineAction] = "a timeline step has no action or more than one",
        [TimelineAfterEnd] = "a timeline step is at or after the scenario's duration",
        [UnknownMetric] = "an expectation names an unknown metric",
        [MalformedExpectation] = "an expectation is not 'metric op value'",
        [ExpectationUnitMismatch] = "an expectation compares a metric with a value of the wrong kind",
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
