//! `hookrelay doctor`: checks a setup end to end and says how to fix what is wrong.
