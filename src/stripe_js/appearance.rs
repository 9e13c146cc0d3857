//! The Payment Element's appearance, read from the page's stylesheet as it is applied.

use crate::components::payment_field::appearance;

/// Stripe's Appearance variables from the root element's computed style: our CSS variables and
/// font. None when the browser cannot say (then Stripe's own look is used).
pub fn stylesheet_appearance() -> Vec<(&'static str, String)> {
    let style = web_sys::window().and_then(|window| {
        let root = window.document()?.document_element()?;
        window.get_computed_style(&root).ok()?
    });
    let Some(style) = style else {
        return Vec::new();
    };
    appearance(|name| {
        style
            .get_property_value(name)
            .map(|value| value.trim().to_owned())
            .unwrap_or_default()
    })
}
