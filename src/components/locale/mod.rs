//! The admin's locale for every component. The server takes it from the request's
//! Accept-Language and writes it into `<html lang>`; the browser reads it back from there, so
//! hydration formats amounts and dates exactly as the server did.

mod format;

use leptos::prelude::*;

pub use self::format::Locale;

/// The locale of the page being rendered (en-US when the request names none we support).
pub fn page_locale() -> Locale {
    #[cfg(feature = "ssr")]
    let preferred = use_context::<http::request::Parts>().and_then(|request| {
        let header = request.headers.get(http::header::ACCEPT_LANGUAGE)?;
        header.to_str().ok().map(Locale::from_accept_language)
    });
    #[cfg(feature = "hydrate")]
    let preferred = document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .map(|lang| Locale::from_accept_language(&lang));
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let preferred = None;
    preferred.unwrap_or_default()
}

/// Makes [`page_locale`] the locale of everything below; the root component calls it.
pub fn provide_locale() {
    provide_context(page_locale());
}

/// The locale to format amounts and dates in. An island hydrates without the server's
/// context, so in the browser it reads the page's own.
pub fn use_locale() -> Locale {
    use_context().unwrap_or_else(page_locale)
}
