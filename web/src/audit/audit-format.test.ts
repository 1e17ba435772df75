import { actionLabel, detailText, targetText } from './audit-format';

describe('audit formatting', () => {
  it('names the target by its recorded name, with the end of its id', () => {
    expect(targetText('6b12ffedf9ab34e68f82a102', [{ name: 'username', value: 'pat' }])).toBe('pat (82a102)');
    expect(targetText('abc', [])).toBe('abc');
    expect(targetText(null, [])).toBe('—');
  });
  it('lists the other details and words known actions', () => {
    expect(detailText([{ name: 'name', value: 'w' }, { name: 'from', value: 'USER' }, { name: 'to', value: 'ADMIN' }])).toBe('from: USER · to: ADMIN');
    expect(actionLabel('job.cancel')).toBe('canceled a job');
  });
  it('reads a list detail as words and leaves an empty one out', () => {
    expect(detailText([{ name: 'labels', value: '["gpu","linux"]' }])).toBe('labels: gpu, linux');
    expect(detailText([{ name: 'labels', value: '[]' }, { name: 'from', value: 'USER' }])).toBe('from: USER');
    expect(detailText([{ name: 'note', value: '[not json' }])).toBe('note: [not json');
    expect(actionLabel('something.new')).toBe('something.new');
  });
});
