import Hummingbird
import HummingbirdWebSocket
/// Placeholder.
enum WebRuntimePlaceholder {}
