//! Errors users read: `error: <what>`, causes, then `hint: <what to do>`.

use std::fmt;

/// An error with an optional hint and exit code, shown as
/// `error: {message}` followed by a blank line and `hint: {hint}`.
#[derive(Debug)]
pub(crate) struct UserError {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    pub(crate) code: u8,
}

impl UserError {
    /// An error that exits 1.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: 1,
        }
    }

    /// Adds a hint.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

impl From<gover_core::ResolveError> for UserError {
    fn from(e: gover_core::ResolveError) -> Self {
        Self {
            message: e.to_string(),
            hint: e.hint(),
            code: 1,
        }
    }
}

/// Turns a `gover-dist` error into one the CLI renders with its hint.
pub(crate) fn user_error(e: gover_dist::Error) -> anyhow::Error {
    let mut u = UserError::new(e.to_string());
    if let Some(h) = e.hint() {
        u = u.hint(h);
    }
    u.into()
}

/// Prints an error chain to stderr and returns the exit code to use.
pub(crate) fn report(err: &anyhow::Error) -> u8 {
    let mut out = format!("error: {err}");
    let mut hint = None;
    let mut code = 1;
    if let Some(u) = err.downcast_ref::<UserError>() {
        hint = u.hint.clone();
        code = u.code;
    }
    for cause in err.chain().skip(1) {
        if let Some(u) = cause.downcast_ref::<UserError>() {
            hint = hint.or_else(|| u.hint.clone());
        }
        out.push_str(&format!("\n  caused by: {cause}"));
    }
    if let Some(h) = hint {
        out.push_str(&format!("\n\nhint: {h}"));
    }
    eprintln!("{out}");
    code
}
