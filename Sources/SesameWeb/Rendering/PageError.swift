/// Failures that end on an error page, each with a plain message in the user's language.
enum PageError: Error {
    case csrf
    /// A form came back without any session cookie: the browser refuses cookies. Carries the user ID typed, if any.
    case cookiesDisabled(typedUserID: String)
    case notFound
    case generic
}
