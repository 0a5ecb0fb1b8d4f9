// Why a CommerceML file was refused. The message goes back to 1C verbatim after `failure`,
// so it names the problem in words an integrator can act on.
export class CommerceMLError extends Error {
  override name = 'CommerceMLError';
}
