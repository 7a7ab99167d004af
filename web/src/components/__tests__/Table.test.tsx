// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Table } from '../ui';

describe('Table', () => {
  afterEach(cleanup);

  it('renders the markup the listings wrote by hand: wrap, table, head, body, then the footer', () => {
    const { container } = render(
      <Table dense testId="rows" style={{ maxHeight: 360 }} head={<tr><th>name</th></tr>} footer={<p className="pager">1 / 1</p>}>
        <tr><td>a</td></tr>
        <tr><td>b</td></tr>
      </Table>,
    );
    expect(container.innerHTML).toBe(
      '<div class="table-wrap" style="max-height: 360px;"><table class="table dense" data-testid="rows">'
      + '<thead><tr><th>name</th></tr></thead><tbody><tr><td>a</td></tr><tr><td>b</td></tr></tbody></table></div>'
      + '<p class="pager">1 / 1</p>',
    );
  });

  it('leaves out what is not given: no style, no test id, no dense class, no footer', () => {
    const { container } = render(<Table head={<tr><th>x</th></tr>}><tr><td>1</td></tr></Table>);
    expect(container.innerHTML).toBe(
      '<div class="table-wrap"><table class="table"><thead><tr><th>x</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table></div>',
    );
  });
});
