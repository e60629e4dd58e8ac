/// Placeholder.
public enum TwinHubBrokerPlaceholder {}
