//! Small macros shared by the option enums.

/// `name()` and `FromStr` for a fieldless option enum from its `(Variant, "name")` pairs, so that
/// every front end parses option names in one place (the error lists the accepted names).
macro_rules! named_options {
    ($t:ident, $what:literal, [$(($v:ident, $name:literal)),+ $(,)?]) => {
        impl $t {
            /// The snake_case name of the option (what [`FromStr`](std::str::FromStr) parses).
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$v => $name,)+
                }
            }

            /// Every accepted name.
            pub const NAMES: &'static [&'static str] = &[$($name),+];
        }

        impl std::str::FromStr for $t {
            type Err = crate::error::Error;
            fn from_str(s: &str) -> Result<Self, crate::error::Error> {
                match s.trim() {
                    $($name => Ok(Self::$v),)+
                    _ => Err(crate::error::Error::unknown($what, s, Self::NAMES)),
                }
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
