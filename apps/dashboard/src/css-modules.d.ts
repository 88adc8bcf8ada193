// Types of CSS module imports, so typechecking does not depend on Next's generated next-env.d.ts.
declare module '*.module.css' {
  const classes: Readonly<Record<string, string>>;
  export default classes;
}
declare module '*.css';
