import { openEngine, type Engine } from '@leerroutes/engine';
import { dbPath, viewsPath, type CommandContext } from './command.js';

/** Open the engine on the paths the user gave (--db, --views or their environment variables). */
export const engineFor = (ctx: CommandContext): Promise<Engine> => openEngine({ db: dbPath(ctx), views: viewsPath(ctx) });
