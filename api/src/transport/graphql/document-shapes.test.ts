import { DocumentShapes } from './document-shapes';
import { ANONYMOUS_BUDGET, SIGNED_IN_BUDGET } from './operation-budget';

const aliases = (n: number): string => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;

describe('DocumentShapes', () => {
  it('keeps the shape of a text within budget and answers it again without a refusal', () => {
    const shapes = new DocumentShapes();
    expect(shapes.overBudget('{ me { id } }', SIGNED_IN_BUDGET)).toBeUndefined();
    expect(shapes.size).toBe(1);
    expect(shapes.overBudget('{ me { id } }', SIGNED_IN_BUDGET)).toBeUndefined();
    expect(shapes.size).toBe(1);
  });

  it("applies each caller's budget to a known text: what a signed-in user may send is still refused to an anonymous one", () => {
    const shapes = new DocumentShapes();
    const many = aliases(20);
    expect(shapes.overBudget(many, SIGNED_IN_BUDGET)).toBeUndefined();
    expect(shapes.overBudget(many, ANONYMOUS_BUDGET)?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 10 });

    const long = `{ me { id } }${' '.repeat(ANONYMOUS_BUDGET.maxQueryChars)}`;
    expect(shapes.overBudget(long, SIGNED_IN_BUDGET)).toBeUndefined();
    expect(shapes.overBudget(long, ANONYMOUS_BUDGET)?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'queryChars' });
  });

  it('answers refusals and syntax errors without keeping them', () => {
    const shapes = new DocumentShapes();
    expect(shapes.overBudget(aliases(60), SIGNED_IN_BUDGET)?.extensions).toMatchObject({ limit: 'aliases' });
    expect(shapes.overBudget('{ me { id }', SIGNED_IN_BUDGET)?.message).toMatch(/Syntax Error/);
    expect(shapes.size).toBe(0);
  });

  it('holds at most maxEntries and no text past maxQueryLength', () => {
    const shapes = new DocumentShapes(2, 20);
    for (const q of ['{ a }', '{ b }', '{ c }']) expect(shapes.overBudget(q, SIGNED_IN_BUDGET)).toBeUndefined();
    expect(shapes.size).toBe(2);
    expect(shapes.overBudget(`{ a${' '.repeat(20)} }`, SIGNED_IN_BUDGET)).toBeUndefined();
    expect(shapes.size).toBe(2);
  });
});
