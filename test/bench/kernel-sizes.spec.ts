// The kernel families of spin-kernel.ts as spec files hold them (`<family> <size>`), so that
// `smpcheck check` can run them as a user would: the `split` bench section checks the larger
// sizes with one and two workers (test/bench/split.ts). Not part of npm run check.
import { spec } from '../../src/check/spec.ts';
import { kernelSpinFamilies } from './spin-kernel.ts';

export default kernelSpinFamilies.flatMap((f) => f.sizes.map((s) => spec({ name: `${f.name} ${s.label}`, model: s.smpcheck.model, params: s.smpcheck.params, expect: s.expect })));
