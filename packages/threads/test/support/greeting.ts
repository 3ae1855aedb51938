const prefix: string = 'hello';
export const greeting = (name: string): string => `${prefix}, ${name}`;
