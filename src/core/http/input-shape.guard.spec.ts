import { ExecutionContext } from '@nestjs/common';
import { AppError } from './app-error';
import { InputShapeGuard } from './input-shape.guard';

function contextFor(request: Record<string, unknown>): ExecutionContext {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('InputShapeGuard', () => {
  const guard = new InputShapeGuard();

  it('hands UUID path parameters to every route in lower case', () => {
    const request = {
      url: '/api/v1/anything/0B7D6C2A-1C9E-4E7A-9F0E-2B1C3D4E5F60',
      params: { id: '0B7D6C2A-1C9E-4E7A-9F0E-2B1C3D4E5F60', queue: 'Deliveries' },
      query: {},
    };
    expect(guard.canActivate(contextFor(request))).toBe(true);
    expect(request.params).toEqual({
      id: '0b7d6c2a-1c9e-4e7a-9f0e-2b1c3d4e5f60',
      queue: 'Deliveries',
    });
  });

  it('refuses a NUL in a query field before the handler runs', () => {
    const request = { url: '/api/v1/x?event=%00', params: {}, query: { event: '\u0000' } };
    expect(() => guard.canActivate(contextFor(request))).toThrow(AppError);
  });

  it('leaves webhook bodies alone (they are cleaned where they become records)', () => {
    const request = { url: '/webhooks/github', params: {}, query: {}, body: { a: '\u0000' } };
    expect(guard.canActivate(contextFor(request))).toBe(true);
  });
});
