//! `vocab!`: the enumerated values the registry, the cases, the rounds and the news store, declared once each.
//!
//! A vocabulary is an enum whose variants carry the string stored in the database and sent by the JSON API
//! (Chinese, as it always was), a Chinese label (the stored string unless given) and an English label. The
//! enum parses the stored string, (de)serialises as it, and labels itself in either language; `ALL` lists the
//! variants in declaration order (for forms, the API document and tests). Views keep the stored `String` (a value
//! stored before a vocabulary changed must still show): pages label it with `label_of`, which shows an unknown
//! value as it is.

use crate::i18n::Lang;
use std::fmt;

/// What every vocabulary offers, for code that works on any of them (tests, schema builders).
pub trait Vocab: Copy + Eq + fmt::Debug + 'static {
    /// The vocabulary's name, for error messages.
    const NAME: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The stored (and serialised) string.
    fn as_str(self) -> &'static str;
    /// The label shown in `lang`.
    fn label(self, lang: Lang) -> &'static str;
    /// The value of a stored string; `None` when it is not one.
    fn parse(s: &str) -> Option<Self>;
}

/// A string that is not a value of the vocabulary it was parsed as.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {vocab}")]
pub struct Unknown {
    pub vocab: &'static str,
    pub value: String,
}

/// Declares a vocabulary: `Variant = "stored" => "English";`, or `Variant = "stored" / "中文标签" => "English";`
/// when the Chinese label differs from the stored string. A stored string given twice does not compile (the
/// `parse` match would have an unreachable arm, denied by the workspace's clippy run).
macro_rules! vocab {
    (
        $(#[$m:meta])*
        pub enum $name:ident {
            $($(#[$vm:meta])* $variant:ident = $stored:literal $(/ $zh:literal)? => $en:literal;)+
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vm])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every stored string, in declaration order.
            pub const STORED: &'static [&'static str] = &[$($stored),+];

            /// The string stored in the database and sent by the API.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $stored,)+
                }
            }

            /// The value of a stored string (exactly as stored); `None` when it is not one.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($stored => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The label shown in `lang`.
            pub const fn label(self, lang: $crate::i18n::Lang) -> &'static str {
                match lang {
                    $crate::i18n::Lang::Zh => match self {
                        $($name::$variant => $crate::vocab::vocab!(@zh $stored $(, $zh)?),)+
                    },
                    $crate::i18n::Lang::En => match self {
                        $($name::$variant => $en,)+
                    },
                }
            }

            /// The label of a stored string, or the string itself when it is not a known value (a value stored
            /// before the vocabulary changed is shown as it is, never dropped).
            pub fn label_of(stored: &str, lang: $crate::i18n::Lang) -> &str {
                $name::parse(stored).map_or(stored, |v| v.label(lang))
            }
        }

        impl $crate::vocab::Vocab for $name {
            const NAME: &'static str = stringify!($name);
            const ALL: &'static [$name] = $name::ALL;

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn label(self, lang: $crate::i18n::Lang) -> &'static str {
                $name::label(self, lang)
            }

            fn parse(s: &str) -> Option<$name> {
                $name::parse(s)
            }
        }

        /// The stored string (so that `to_string` and `parse` round-trip); labels come from `label`.
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::Unknown;

            fn from_str(s: &str) -> Result<$name, $crate::vocab::Unknown> {
                $name::parse(s).ok_or_else(|| $crate::vocab::Unknown { vocab: stringify!($name), value: s.to_owned() })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                struct Visitor;

                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        write!(f, "one of {:?}", $name::STORED)
                    }

                    fn visit_str<E: ::serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        $name::parse(s).ok_or_else(|| E::unknown_variant(s, $name::STORED))
                    }
                }

                d.deserialize_str(Visitor)
            }
        }
    };
    (@zh $stored:literal) => {
        $stored
    };
    (@zh $stored:literal, $zh:literal) => {
        $zh
    };
}

pub(crate) use vocab;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CaseCategory;
    use crate::credit::{BusinessCategory, BusinessStatus, District};
    use crate::news::NewsTag;
    use crate::picks::FoodCategory;
    use std::collections::HashSet;

    /// Every value survives serde and `parse`/`FromStr`/`Display`, and serialises as its stored string.
    fn round_trips<V: Vocab + serde::Serialize + serde::de::DeserializeOwned + std::str::FromStr + fmt::Display>() {
        assert!(!V::ALL.is_empty(), "{} is empty", V::NAME);
        for &v in V::ALL {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, serde_json::to_string(v.as_str()).unwrap(), "{v:?} serialises as its stored string");
            assert_eq!(serde_json::from_str::<V>(&json).unwrap(), v, "{v:?} through serde");
            assert_eq!(V::parse(v.as_str()), Some(v), "{v:?} through parse");
            assert!(v.to_string().parse::<V>().ok() == Some(v), "{v:?} through Display and FromStr");
        }
    }

    /// Stored strings and both labels are non-empty and distinct within the vocabulary.
    fn labelled<V: Vocab>() {
        for (what, f) in [
            ("stored string", (|v: V| v.as_str()) as fn(V) -> &'static str),
            ("zh label", |v: V| v.label(Lang::Zh)),
            ("en label", |v: V| v.label(Lang::En)),
        ] {
            let mut seen = HashSet::new();
            for &v in V::ALL {
                let s = f(v);
                assert!(!s.trim().is_empty(), "{}::{v:?} has an empty {what}", V::NAME);
                assert!(seen.insert(s), "{}::{v:?} has the {what} {s:?} of another value", V::NAME);
            }
        }
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for &v in V::ALL {
            assert!(cjk(v.label(Lang::Zh)), "{}::{v:?} zh label is not Chinese", V::NAME);
            assert!(!cjk(v.label(Lang::En)), "{}::{v:?} en label is not English", V::NAME);
        }
    }

    fn check<V: Vocab + serde::Serialize + serde::de::DeserializeOwned + std::str::FromStr + fmt::Display>() {
        round_trips::<V>();
        labelled::<V>();
    }

    #[test]
    fn every_vocabulary_round_trips_and_is_labelled_in_both_languages() {
        check::<District>();
        check::<BusinessCategory>();
        check::<BusinessStatus>();
        check::<FoodCategory>();
        check::<CaseCategory>();
        check::<NewsTag>();
        check::<crate::cases::Satisfaction>();
        check::<crate::staff::AuditAction>();
        check::<crate::sampling::DisposalStep>();
        check::<crate::sampling::QuantityUnit>();
        check::<crate::markets::MarketKind>();
        check::<crate::markets::TestMethod>();
        check::<crate::markets::TestResult>();
        check::<crate::markets::Commitment>();
        check::<crate::markets::CertBasis>();
        check::<crate::kitchens::FlagKind>();
        check::<crate::kitchens::FlagStatus>();
        check::<crate::sampling::RetestResult>();
        check::<crate::follow::Only>();
        check::<crate::follow::sms::Mode>();
        check::<crate::volunteers::Group>();
        check::<crate::volunteers::VolunteerState>();
        check::<crate::volunteers::Issue>();
    }

    #[test]
    fn unknown_strings_are_refused_but_shown_as_they_are() {
        assert_eq!(District::parse("北京市"), None);
        assert_eq!(District::parse(" 涪城区"), None, "stored strings match exactly");
        assert_eq!("北京市".parse::<District>().unwrap_err(), Unknown { vocab: "District", value: "北京市".into() });
        assert!(serde_json::from_str::<District>("\"北京市\"").is_err());
        assert!(serde_json::from_str::<District>("3").is_err());
        assert_eq!(District::label_of("北京市", Lang::En), "北京市");
        assert_eq!(District::label_of("涪城区", Lang::En), "Fucheng District");
        assert_eq!(District::label_of("涪城区", Lang::Zh), "涪城区");
    }

    vocab! {
        /// A vocabulary whose Chinese label differs from its stored string.
        pub enum Sample {
            Plain = "原样" => "As stored";
            Relabelled = "旧名" / "新名" => "Renamed";
        }
    }

    #[test]
    fn a_chinese_label_may_differ_from_the_stored_string() {
        check::<Sample>();
        assert_eq!((Sample::Plain.label(Lang::Zh), Sample::Relabelled.label(Lang::Zh)), ("原样", "新名"));
        assert_eq!(Sample::Relabelled.as_str(), "旧名");
        assert_eq!(Sample::parse("新名"), None, "labels are not stored strings");
        assert_eq!(Sample::label_of("旧名", Lang::Zh), "新名");
    }
}
