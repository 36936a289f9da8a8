//! `fields!`: the raw fields of a form or JSON body, declared once. Form handlers, server functions, REST
//! handlers and the CSV import deserialise this struct; pages take each input's `name` from its associated
//! constant (`BusinessFields::credit_code`), so a renamed field cannot leave a form posting the old name.

/// Declares a struct of `String` fields (missing ones are empty) with one `&'static str` constant per field.
#[macro_export]
macro_rules! fields {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $field:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(default)]
        pub struct $name {
            $($(#[$fm])* pub $field: String,)*
        }

        #[allow(non_upper_case_globals, reason = "each constant is named exactly as the field it names")]
        impl $name {
            $(pub const $field: &'static str = stringify!($field);)*
            /// Every field name, in declaration order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }
    };
}
