//! The Payment Element's appearance, read from the page's stylesheet as it is applied.

use serde_json::Value;

use crate::components::payment_field::appearance;

/// Stripe's Appearance from the root element's computed style: our CSS variables and font.
/// `None` when the browser cannot say (then Stripe's own look is used).
pub fn stylesheet_appearance() -> Option<Value> {
    let window = web_sys::window()?;
    let root = window.document()?.document_element()?;
    let style = window.get_computed_style(&root).ok()??;
    Some(appearance(|name| {
        style
            .get_property_value(name)
            .map(|value| value.trim().to_owned())
            .unwrap_or_default()
    }))
}
